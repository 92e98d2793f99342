"""``/admin/outbox/``: the e-mails waiting, sent and failed; failed ones can be sent again."""


class OutboxArea:
    """A section of the admin area; it inherits the area's ACL (``admin:outbox`` for the admin role)."""

    segment = "outbox"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession
