"""Writes the audit log in the request's transaction: a rolled-back action leaves no entry."""
from zope.interface import implementer

from portal.audit.interfaces import IAuditService
from portal.audit.models import AuditEntry


@implementer(IAuditService)
class DatabaseAuditService:
    """Audit entries for the acting user of one request."""

    def __init__(self, dbsession, *, actor_id=None, ip=None):
        self.db = dbsession
        self.actor_id = actor_id
        self.ip = ip

    def record(self, action: str, target: str = "", **detail) -> AuditEntry:
        entry = AuditEntry(
            actor_id=self.actor_id, action=action, target=target, ip=self.ip, detail=detail
        )
        self.db.add(entry)
        return entry


def audit_service_factory(context, request):
    return DatabaseAuditService(
        request.dbsession, actor_id=request.authenticated_userid, ip=request.client_addr
    )


def includeme(config):
    config.register_service_factory(audit_service_factory, IAuditService)
