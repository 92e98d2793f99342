"""``/admin/notifications/``: the channel each staff role gets per kind when its holders chose none."""


class NotificationDefaultsArea:
    """A section of the admin area; it inherits the area's ACL (``admin:notifications`` for the admin role)."""

    segment = "notifications"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession
