"""``/admin/audit``: who did what, newest first, and its export."""
from pyramid.view import view_config
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.audit.resources import AuditArea
from portal.i18n import _
from portal.identity.models import User
from portal.security.permissions import Permission
from portal.views.listing import ListSpec, ListView
from portal.views.xlsx import Column


def actor_name(row) -> str | None:
    """The name of the person who acted (their login when they gave no name); None for the system."""
    return User.full_name.fget(row) if row.login is not None else None


@view_config(context=AuditArea, name="", attr="page", permission=Permission.AdminAudit,
             request_method=("GET", "HEAD"), renderer="portal:audit/templates/audit.pt")
@view_config(context=AuditArea, name="export.xlsx", attr="export", permission=Permission.AdminAudit,
             request_method=("GET", "HEAD"))
class AuditLog(ListView):
    """Every recorded action, newest first, with the person by name: the page and its export.

    Rows are the entry and its actor's name columns (an outer join: the actor
    may be gone, or there was none).
    """

    spec = ListSpec(
        columns=(
            Column(_("When"), lambda row: row.AuditEntry.at, kind="datetime"),
            Column(_("Who"), actor_name, width=30),
            Column(_("Login"), "login", width=20),
            Column(_("Action"), lambda row: row.AuditEntry.action, width=28),
            Column(_("Object"), lambda row: row.AuditEntry.target, width=24),
            Column(_("Address"), lambda row: row.AuditEntry.ip, width=18),
        ),
        sorts={"at": AuditEntry.at}, default_sort="-at", tiebreak=AuditEntry.id.desc(),
        title=_("Audit log"), ascii_name="audit-log", scalars=False,
    )

    def statement(self):
        return (
            select(AuditEntry, User.last_name, User.first_name, User.middle_name, User.login)
            .outerjoin(User, User.id == AuditEntry.actor_id)
        )

    def extra(self, page):
        return {"actor_name": actor_name}
