"""Accounts made by post (the utility's way): the activation secret in two parts, one printed in a
letter the back office posts (a PDF), the other sent by e-mail; ``/activate`` takes both and the
person's new password, and only then does the account act for its party.

The secret is the two parts together (``issue_token`` with the composed token, so only its hash is
kept): either part alone opens nothing. Each part is 12 letters and digits of an alphabet without
look-alikes (60 bits), grouped by four to be typed from paper. The membership is granted at
activation, not before: a password set by other means (a reset link to the address) still leaves
the account without its party until both parts are typed.
"""
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from portal.admin.access import find_party
from portal.db.meta import utcnow
from portal.i18n import _
from portal.identity.models import User
from portal.onboarding.models import AccountToken, TokenPurpose
from portal.onboarding.registration import RegistrationRefused, act_for, owner_of
from portal.onboarding.tokens import issue_token, use_token, valid_token
from portal.parties.models import Party

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
PART_LENGTH = 12
GROUP = 4
LIFETIME = timedelta(days=60)
TOPIC = "activation.code"


@dataclass(frozen=True)
class ActivationLetter:
    """What the printed letter says: to whom, for which party, the first part, until when."""

    user: User
    party: Party
    letter_part: str
    expires_at: datetime


def new_part() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(PART_LENGTH))


def grouped(part: str) -> str:
    """``ABCDEFGHJKLM`` as printed: ``ABCD-EFGH-JKLM``."""
    return "-".join(part[i:i + GROUP] for i in range(0, len(part), GROUP))


def typed_part(text) -> str:
    """A part as typed, without the blanks and dashes a person may add, in capitals."""
    return "".join(c for c in str(text or "").upper() if c.isalnum())[:2 * PART_LENGTH]


def secret(letter_part: str, email_part: str) -> str:
    return f"{typed_part(letter_part)}:{typed_part(email_part)}"


def issue_letter(db, audit, letters, values: dict, *, actor_id, now: datetime | None = None) -> ActivationLetter:
    """A new account for ``values`` (names, e-mail, phone, language, the party's reference), without a
    password; the e-mail with the second part goes to the outbox, the first part is returned for the
    letter."""
    now = now or utcnow()
    email = values["email"].strip().lower()
    if owner_of(db, email) is not None:
        raise RegistrationRefused(_("A user with this e-mail address or login already exists."), "email")
    party = find_party(db, values["party"])
    if party is None:
        raise RegistrationRefused(_("There is no party “${ref}”. Give its number in the portal or its accounting id.",
                                  mapping={"ref": values["party"]}), "party")
    user = User(login=email, email=email, phone=values.get("phone"), last_name=values["last_name"],
                first_name=values["first_name"], middle_name=values.get("middle_name") or "",
                language=values.get("language"), created_at=now)
    db.add(user)
    db.flush()
    letter_part, email_part = new_part(), new_part()
    issue_token(db, user, TokenPurpose.activation, LIFETIME, created_by_id=actor_id, data={"party_id": party.id},
                token=secret(letter_part, email_part), now=now)
    expires_at = now + LIFETIME
    letter = letters.write("activation", user, login=user.login, code=grouped(email_part),
                           url=letters.url("/activate"), until=expires_at.date().isoformat())
    letters.send(db, user, letter.subject, letter.body, party_id=party.id, topic=TOPIC)
    audit.record("activation.letter", f"user:{user.id}", party_id=party.id, party=party.name)
    return ActivationLetter(user, party, letter_part, expires_at)


def find_activation(db, letter_part, email_part) -> AccountToken | None:
    """The activation both parts make together, while it can be used; None for any other pair."""
    return valid_token(db, secret(letter_part, email_part), TokenPurpose.activation)


def activate(db, audit, passwords, letter_part, email_part, password: str, *, seats) -> User | None:
    """Use the activation: the password set, the account acting for its party; None when the parts
    open nothing. With no seat of the licence (``seats``, its limit) left it is refused (RegistrationRefused)."""
    token = secret(letter_part, email_part)
    # Locked first, so of two activations at once the second waits and then finds it used; the
    # membership next, since it may be refused, and only then is the token used up.
    record = valid_token(db, token, TokenPurpose.activation, for_update=True)
    if record is None:
        return None
    user = record.user
    party = db.get(Party, record.data.get("party_id"))
    if party is not None:
        act_for(db, audit, user, party, seats=seats)
    use_token(db, token, TokenPurpose.activation)
    user.password_hash = passwords.hash(password)
    audit.record("activation.done", f"user:{user.id}", as_user=user.id, party_id=party.id if party else None)
    return user
