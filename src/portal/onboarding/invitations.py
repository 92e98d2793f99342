"""Invitations: staff made a user (for a party) and send a link that works once, for
``portal.invitation.days``, to choose the password; the login is the user's from then on."""
from datetime import timedelta

from portal.i18n import _
from portal.identity.models import User
from portal.onboarding.models import TokenPurpose
from portal.onboarding.tokens import issue_token

LIFETIME_SETTING = "portal.invitation.days"
DEFAULT_DAYS = 7


class InvitationRefused(Exception):
    """An invitation that cannot be sent; ``message`` is translatable."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def invitation_lifetime(settings) -> timedelta:
    return timedelta(days=int((settings or {}).get(LIFETIME_SETTING, DEFAULT_DAYS)))


def invitation_path(token: str) -> str:
    return f"/invite/{token}"


def compose_invitation(letters, user: User, url: str, days: int, inviter: User | None) -> tuple[str, str]:
    """The invitation in the user's language: who invites, the login, the link and how long it works."""
    translate = letters.translator(user)
    mapping = {"name": user.greeting_name(letters.language(user)), "login": user.login, "url": url,
               "days": str(days), "inviter": inviter.full_name if inviter else ""}
    if inviter is not None:
        made = _("${inviter} has made you a login to the customer portal: “${login}”.", mapping=mapping)
    else:
        made = _("You have a login to the customer portal: “${login}”.", mapping=mapping)
    lines = [
        translate(_("Hello, ${name}.", mapping=mapping)), "",
        translate(made), translate(_("Choose your password here:")), url, "",
        translate(_("The link works once, for ${days} days. Then log in with your login or this e-mail "
                    "address and the password you chose.", mapping=mapping)),
    ]
    return translate(_("Your login to the customer portal")), "\n".join(lines) + "\n"


def send_invitation(db, letters, user: User, lifetime: timedelta, *, inviter: User | None = None):
    """The invitation e-mail into the outbox (an earlier invitation's link dies); the outbox row.
    Refused for a blocked user or one without an e-mail address."""
    if not user.is_active:
        raise InvitationRefused(_("The user is blocked: unblock them before inviting them."))
    if not (user.email or "").strip():
        raise InvitationRefused(_("The user has no e-mail address to send the invitation to."))
    token = issue_token(db, user, TokenPurpose.invitation, lifetime,
                        created_by_id=inviter.id if inviter is not None else None)
    subject, body = compose_invitation(letters, user, letters.url(invitation_path(token)), lifetime.days, inviter)
    return letters.send(db, user, subject, body, party_id=None, topic="invitation")
