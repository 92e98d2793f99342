"""Writes the audit log in the request's transaction: a rolled-back action leaves no entry.

``write_entry`` is for code that has no request (a workflow's side effects,
the console); views go through ``IAuditService``, which knows who acts and
from where. It imports no other package, so any package may write the log.
"""
from zope.interface import implementer

from portal.audit.interfaces import IAuditService
from portal.audit.models import AuditEntry


def write_entry(session, action: str, target: str = "", *, actor_id=None, ip=None, **detail) -> AuditEntry:
    """Add one audit entry to ``session`` (written with the caller's transaction)."""
    entry = AuditEntry(actor_id=actor_id, action=action, target=target, ip=ip, detail=detail)
    session.add(entry)
    return entry


@implementer(IAuditService)
class DatabaseAuditService:
    """Audit entries for the acting user of one request."""

    def __init__(self, dbsession, *, actor_id=None, ip=None):
        self.db = dbsession
        self.actor_id = actor_id
        self.ip = ip

    def record(self, action: str, target: str = "", *, as_user=None, **detail) -> AuditEntry:
        return write_entry(self.db, action, target, actor_id=as_user or self.actor_id, ip=self.ip, **detail)


def audit_service_factory(context, request):
    return DatabaseAuditService(
        request.dbsession, actor_id=request.authenticated_userid, ip=request.client_addr
    )


def includeme(config):
    config.register_service_factory(audit_service_factory, IAuditService)
