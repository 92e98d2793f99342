"""``/admin/audit``: the audit log, a section of the admin area (whose ACL it inherits)."""


class AuditArea:
    """The audit log; ``admin:audit`` for the admin role, granted on the admin area."""

    segment = "audit"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession
