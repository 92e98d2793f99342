"""``/admin/outbox/``: the e-mails and SMS waiting, sent and failed; ``<id>/`` one of them with its
delivery history; failed ones can be sent again."""
from portal.db.ids import id_or_key_error
from portal.outbox.models import OutboxMessage


class OutboxArea:
    """A section of the admin area; it inherits the area's ACL (``admin:outbox`` for the admin role)."""

    segment = "outbox"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession

    def __getitem__(self, key):
        message = self.dbsession.get(OutboxMessage, id_or_key_error(key))
        if message is None:
            raise KeyError(key)
        return OutboxMessageResource(message, self)


class OutboxMessageResource:
    """One row of the outbox; inherits the admin area's ACL."""

    def __init__(self, message: OutboxMessage, parent: OutboxArea):
        self.message = message
        self.__name__ = str(message.id)
        self.__parent__ = parent
