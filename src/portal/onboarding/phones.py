"""The SMS codes that show a registration's phone number is the person's own: six digits, ten
minutes, five tries; a rate limit per number and per client address on sending them. (What is
accepted as a number is registration_schemas.py's ``normalize_phone``.)"""
import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.db.meta import utcnow
from portal.onboarding.models import SmsCode
from portal.outbox.models import OutboxChannel

CODE_DIGITS = 6
CODE_LIFETIME = timedelta(minutes=10)
CODE_TRIES = 5
TOPIC = "registration.phone_code"


def masked(phone: str) -> str:
    """The number as a page may show it to whoever holds the session: the country code's first digit
    and the last two digits."""
    return phone[:2] + "•" * max(len(phone) - 4, 0) + phone[-2:] if len(phone) > 4 else phone


def code_hash(user_id: int, code: str) -> str:
    return hashlib.sha256(f"{user_id}:{code}".encode()).hexdigest()


def send_code(db, letters, user, *, phone_limit, address_limit, ip, now: datetime | None = None) -> datetime | None:
    """A new code by SMS to ``user.phone`` (the earlier ones die); None when it was sent, else when
    the limits (per number, per address) let another go."""
    now = now or utcnow()
    waits = [when for when in (phone_limit.retry_after(user.phone), address_limit.retry_after(ip)) if when]
    if waits:
        return max(waits)
    db.execute(update(SmsCode).where(SmsCode.user_id == user.id, SmsCode.used_at.is_(None)).values(used_at=now)
               .execution_options(synchronize_session=False))
    code = f"{secrets.randbelow(10 ** CODE_DIGITS):0{CODE_DIGITS}d}"
    db.add(SmsCode(user_id=user.id, phone=user.phone, code_hash=code_hash(user.id, code), created_at=now,
                   expires_at=now + CODE_LIFETIME))
    phone_limit.hit(user.phone)
    address_limit.hit(ip)
    letter = letters.write("phone-code", user, code=code, minutes=str(int(CODE_LIFETIME.total_seconds() // 60)))
    letters.deliver(db, user, OutboxChannel.sms, letter, party_id=None, topic=TOPIC)
    return None


@dataclass(frozen=True)
class CodeCheck:
    """``outcome``: 'ok'; 'wrong' (``tries_left`` more); 'dead' (expired or out of tries: a new code is
    needed); 'none' (no code was sent)."""

    outcome: str
    tries_left: int = 0


def check_code(db, user, typed: str, now: datetime | None = None) -> CodeCheck:
    """Try ``typed`` against the user's latest code; a wrong one uses up a try."""
    now = now or utcnow()
    row = db.scalars(select(SmsCode).where(SmsCode.user_id == user.id, SmsCode.used_at.is_(None))
                     .order_by(SmsCode.id.desc()).limit(1).with_for_update()).first()
    if row is None:
        return CodeCheck("none")
    if row.expires_at <= now or row.attempts >= CODE_TRIES or row.phone != user.phone:
        return CodeCheck("dead")
    if hmac.compare_digest(row.code_hash, code_hash(user.id, (typed or "").strip())):
        row.used_at = now
        return CodeCheck("ok")
    row.attempts += 1
    left = CODE_TRIES - row.attempts
    return CodeCheck("wrong", left) if left else CodeCheck("dead")
