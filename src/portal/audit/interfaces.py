"""The audit service's interface, looked up with ``request.find_service``."""
from zope.interface import Interface


class IAuditService(Interface):
    """Records staff and security actions in the audit log."""

    def record(action, target="", *, as_user=None, **detail):
        """Add one audit entry for the current actor (``as_user``: the user id acting when the
        request has none yet, at the login that makes it), with ``detail`` as its data."""
