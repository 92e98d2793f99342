"""Side effects and guards several workflows share."""
from sqlalchemy import select

from ..i18n import _
from ..models import User, UserRole


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
    """Guard: an assignee must be given, and be an active member of staff."""
    assignee_id = ctx.data.get("assignee_id")
    if assignee_id is None:
        return _("Choose whom to assign it to.")
    user = ctx.session.get(User, assignee_id)
    is_staff = ctx.session.scalar(select(UserRole.role).where(UserRole.user_id == assignee_id).limit(1))
    if user is None or not user.is_active or is_staff is None:
        return _("Only active staff can be assigned.")
    return None
