"""Password reset by e-mail: a link that works once, for ``portal.password_reset.minutes``, to each
active user with the address typed; nothing for an address nobody has, and the page says the same
either way. Setting a password through a link (reset or invitation) is here too.
"""
from datetime import timedelta

from sqlalchemy import func, select

from portal.i18n import _
from portal.identity.models import User, UserState
from portal.onboarding.models import TokenPurpose
from portal.onboarding.tokens import issue_token, use_token

LIFETIME_SETTING = "portal.password_reset.minutes"
DEFAULT_MINUTES = 60


def reset_lifetime(settings) -> timedelta:
    return timedelta(minutes=int((settings or {}).get(LIFETIME_SETTING, DEFAULT_MINUTES)))


def reset_path(token: str) -> str:
    return f"/password/reset/{token}"


def users_with_email(db, email: str) -> list[User]:
    """The active users an address belongs to (compared without case: mail servers ignore it too)."""
    return db.scalars(select(User).where(func.lower(User.email) == email.strip().lower(),
                                         User.state == UserState.active.value).order_by(User.id)).all()


def compose_reset(letters, user: User, url: str, minutes: int) -> tuple[str, str]:
    """The reset e-mail in the user's language."""
    translate = letters.translator(user)
    mapping = {"name": user.greeting_name(letters.language(user)), "login": user.login, "url": url,
               "minutes": str(minutes)}
    lines = [
        translate(_("Hello, ${name}.", mapping=mapping)), "",
        translate(_("Someone, we hope you, asked to reset the password of your login “${login}” to the "
                    "customer portal. Choose a new password here:", mapping=mapping)),
        url, "",
        translate(_("The link works once, for ${minutes} minutes. If you did not ask for it, ignore this "
                    "e-mail: your password stays as it is.", mapping=mapping)),
    ]
    return translate(_("Reset your password")), "\n".join(lines) + "\n"


def send_reset_links(db, letters, email: str, lifetime: timedelta) -> int:
    """A reset e-mail (into the outbox) to each active user with ``email``; how many were written."""
    users = users_with_email(db, email)
    for user in users:
        token = issue_token(db, user, TokenPurpose.password_reset, lifetime)
        minutes = int(lifetime.total_seconds() // 60)
        subject, body = compose_reset(letters, user, letters.url(reset_path(token)), minutes)
        letters.send(db, user, subject, body, party_id=None, topic="password.reset")
    return len(users)


def set_password(passwords, auth, user: User, new_password: str) -> None:
    """The user's own new password: no longer temporary, the login unlocked (a forgotten password
    often ends in a lock), every login session ended."""
    user.password_hash = passwords.hash(new_password)
    user.must_change_password = False
    auth.unlock(user)
    auth.end_all_sessions(user.id)


def set_password_by_link(db, passwords, auth, token: str, purpose: TokenPurpose, new_password: str) -> User | None:
    """Use the link's token and set the password of its user; None, the password unchanged, when the
    token cannot be used (forged, used, expired, or its user blocked since)."""
    record = use_token(db, token, purpose)
    if record is None or not record.user.is_active:
        return None
    set_password(passwords, auth, record.user, new_password)
    return record.user
