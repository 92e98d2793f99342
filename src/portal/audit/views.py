"""``/admin/audit``: who did what, newest first."""
from pyramid.view import view_config
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.audit.resources import AuditArea
from portal.identity.models import User
from portal.security.permissions import Permission
from portal.views.listing import list_page


@view_config(context=AuditArea, name="", permission=Permission.AdminAudit,
             request_method=("GET", "HEAD"), renderer="portal:audit/templates/audit.pt")
def audit_log(context, request):
    statement = (
        select(AuditEntry, User.login)
        .outerjoin(User, User.id == AuditEntry.actor_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    page = list_page(request, statement, scalars=False)
    return {"page": page}
