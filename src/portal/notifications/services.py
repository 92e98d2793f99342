"""Who chose which channel: each person's choice per kind, the staff roles' defaults, and whether
this deployment sends SMS at all.

A user's channel for a kind is the user's own choice, else the default of the first of the user's
staff roles (in the order of ``identity.models.Role``) that has one, else the kind's default.
Whether that channel can carry a notification to that person (an address, a number, the party's
page rule) is outbox/letters.py's to say.
"""
from sqlalchemy import delete, select

from portal.db.among import among
from portal.identity.models import Role, UserRole
from portal.notifications.kinds import KINDS, NotificationKind
from portal.notifications.models import Channel, NotificationPreference, RoleNotificationDefault

# Either makes portal-worker send SMS (outbox/sms.py): a gateway, or development's folder.
SMS_SETTINGS = ("portal.sms.url", "portal.sms.folder")
ROLE_ORDER = {role.value: n for n, role in enumerate(Role)}


def sms_enabled(settings) -> bool:
    """Whether this deployment sends SMS; without it SMS is not offered, and e-mail stands in."""
    return any(str((settings or {}).get(name) or "").strip() for name in SMS_SETTINGS)


def offered_channels(kind: NotificationKind, sms: bool) -> tuple:
    return tuple(c for c in kind.channels if sms or c != Channel.sms)


def chosen_channels(session, user_ids, kind: NotificationKind) -> dict[int, Channel]:
    """Each of ``user_ids``'s channel for ``kind`` (the module's rule), in two statements."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    chosen = dict(session.execute(select(NotificationPreference.user_id, NotificationPreference.channel).where(
        NotificationPreference.kind == kind.name, among(session, NotificationPreference.user_id, ids))).all())
    defaults = session.execute(
        select(UserRole.user_id, UserRole.role, RoleNotificationDefault.channel)
        .join(RoleNotificationDefault, RoleNotificationDefault.role == UserRole.role)
        .where(among(session, UserRole.user_id, ids), RoleNotificationDefault.kind == kind.name)).all()
    for user_id, _role, channel in sorted(defaults, key=lambda row: ROLE_ORDER.get(row[1], len(ROLE_ORDER))):
        chosen.setdefault(user_id, channel)
    return {user_id: _allowed(kind, chosen.get(user_id)) for user_id in ids}


def _allowed(kind: NotificationKind, channel) -> Channel:
    return Channel(channel) if channel in kind.channels else kind.default


def own_choices(session, user_id) -> dict[str, str]:
    """The kinds ``user_id`` chose a channel for, and the channel."""
    return dict(session.execute(select(NotificationPreference.kind, NotificationPreference.channel)
                                .where(NotificationPreference.user_id == user_id)).all())


def save_choices(session, user_id, choices: dict) -> list[str]:
    """Keep ``user_id``'s channel per kind (names of KINDS to a channel the kind offers); the kinds
    whose channel changed."""
    current = own_choices(session, user_id)
    changed = []
    for name, channel in choices.items():
        kind = KINDS[name]
        if Channel(channel) not in kind.channels or current.get(name) == channel:
            continue
        session.merge(NotificationPreference(user_id=user_id, kind=name, channel=channel))
        changed.append(name)
    session.flush()
    return changed


def role_defaults(session) -> dict[str, dict[str, str]]:
    """Role -> kind -> the channel its holders get when they chose none."""
    defaults: dict[str, dict[str, str]] = {}
    for row in session.scalars(select(RoleNotificationDefault)):
        defaults.setdefault(row.role, {})[row.kind] = row.channel
    return defaults


def save_role_defaults(session, defaults: dict) -> dict:
    """Set the defaults of each role in ``defaults`` (kind -> channel, or None for the kind's own
    default); what changed, as role -> kind -> [old, new]."""
    current = role_defaults(session)
    changes: dict = {}
    for role, kinds in defaults.items():
        for name, channel in kinds.items():
            old = current.get(role, {}).get(name)
            if channel is not None and Channel(channel) not in KINDS[name].channels:
                continue
            if old == channel:
                continue
            session.execute(delete(RoleNotificationDefault).where(RoleNotificationDefault.role == role,
                                                                  RoleNotificationDefault.kind == name))
            if channel is not None:
                session.add(RoleNotificationDefault(role=role, kind=name, channel=channel))
            changes.setdefault(role, {})[name] = [old, channel]
    session.flush()
    return changes
