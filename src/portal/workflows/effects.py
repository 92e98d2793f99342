"""Side effects and guards several workflows share."""
from sqlalchemy import select

from portal.db.ids import MAX_ID
from portal.i18n import _
from portal.identity.models import User, UserRole
from portal.parties.services import may_see_party
from portal.security.roles import HANDLER_ROLES


def set_assignee(item, ctx):
    """Assign to ``ctx.data['assignee_id']`` (checked by the ``valid_assignee`` guard)."""
    item.assignee_id = ctx.data["assignee_id"]


def mark_resolved(item, ctx):
    item.resolved_at = ctx.now


def clear_resolved(item, ctx):
    item.resolved_at = None


def mark_closed(item, ctx):
    item.closed_at = ctx.now


def valid_assignee(item, ctx):
    """Guard: an assignee must be given, be an active member of staff who handles work, and may see
    the item's party (parties/services.py): nobody is given an item whose page they cannot open."""
    assignee_id = ctx.data.get("assignee_id")
    if assignee_id is None:
        return _("Choose whom to assign it to.")
    user = ctx.session.get(User, assignee_id) if 0 < assignee_id <= MAX_ID else None
    handles = ctx.session.scalar(
        select(UserRole.role).where(UserRole.user_id == assignee_id, UserRole.role.in_(HANDLER_ROLES)).limit(1)
    ) if user is not None else None
    if user is None or not user.is_active or handles is None:
        return _("Only active staff can be assigned.")
    if not may_see_party(ctx.session, assignee_id, item.party_id):
        return _("This can be assigned only to someone who may see its party.")
    return None
