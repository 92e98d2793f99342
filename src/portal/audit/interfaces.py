"""The audit service's interface, looked up with ``request.find_service``."""
from zope.interface import Interface


class IAuditService(Interface):
    """Records staff and security actions in the audit log."""

    def record(action, target="", **detail):
        """Add one audit entry for the current actor."""
