"""Two-factor login: after the password, the six-digit code of an authenticator app (TOTP, RFC 6238,
by pyotp), or one of ten recovery codes when the phone is lost.

Optional per user; ``portal.two_factor.staff_required`` makes it compulsory for staff (a staff user
without it sets it up while logging in). The secret is shown, as a QR code drawn here by segno and as
text, only while two-factor is being set up, never once it is on. A code is taken within one time step
of the clock either way, and only once: the step it was taken for is kept, and a code of that step or
an earlier one is refused. Recovery codes are kept as SHA-256 hashes and die on use.
"""
import base64
import hashlib
import hmac
import re
import secrets
from datetime import datetime

import pyotp
import segno
from pyramid.settings import asbool
from sqlalchemy import delete, func, or_, select, update

from portal.identity.models import RecoveryCode, User

STAFF_REQUIRED_SETTING = "portal.two_factor.staff_required"
ISSUER_SETTING = "portal.company.name"
DEFAULT_ISSUER = "Portal"
RECOVERY_CODE_COUNT = 10
RECOVERY_CODE_BYTES = 10  # 80 bits: 16 base32 characters
DRIFT_STEPS = 1
SEPARATORS = re.compile(r"[\s-]+")
TOTP_CODE = re.compile(r"^\d{6}$")
RECOVERY_CODE = re.compile(r"^[a-z2-7]{16}$")


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None


def is_required(user: User, settings) -> bool:
    """Staff must have two-factor when the setting says so; for customers it is their choice."""
    return asbool((settings or {}).get(STAFF_REQUIRED_SETTING, False)) and bool(user.roles)


def is_being_set_up(user: User) -> bool:
    return user.totp_secret is not None and not is_enabled(user)


def begin_setup(user: User) -> None:
    """A new secret for the user to scan; two-factor is on only once a code made from it is typed."""
    user.totp_secret = pyotp.random_base32()
    user.totp_enabled_at = None
    user.totp_last_step = None


def issuer(settings) -> str:
    """The name an authenticator app lists the account under: the company's."""
    return (settings or {}).get(ISSUER_SETTING) or DEFAULT_ISSUER


def provisioning_uri(user: User, settings) -> str:
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.login, issuer_name=issuer(settings))


def qr_svg(uri: str) -> str:
    """The QR code of ``uri`` as inline SVG, drawn on the server: the secret goes to no other site."""
    return segno.make(uri, error="m").svg_inline(scale=4, border=2)


def grouped_secret(user: User) -> str:
    """The secret in groups of four, for typing it into an app that cannot scan."""
    secret = user.totp_secret or ""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def normalize_code(code) -> str:
    return SEPARATORS.sub("", code if isinstance(code, str) else "").lower()


def matching_step(secret: str, code: str, now: datetime) -> int | None:
    """The time step ``code`` is the TOTP code of, within ``DRIFT_STEPS`` of ``now``; None if none."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _take_step(db, user: User, code: str, now: datetime) -> bool:
    """Take a TOTP code once: the user's last step moves forward only if this code's step is later,
    in one conditional UPDATE, so of two requests with the same code one wins."""
    step = matching_step(user.totp_secret, code, now) if user.totp_secret else None
    if step is None:
        return False
    taken = db.execute(
        update(User).where(User.id == user.id, or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step).execution_options(synchronize_session=False)
    ).rowcount
    db.expire(user, ["totp_last_step"])
    return taken == 1


def recovery_hash(code: str) -> str:
    return hashlib.sha256(normalize_code(code).encode()).hexdigest()


def new_recovery_codes(db, user: User, now: datetime) -> list[str]:
    """Ten new recovery codes (shown once, kept hashed); the user's earlier ones die."""
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = [base64.b32encode(secrets.token_bytes(RECOVERY_CODE_BYTES)).decode().lower()
             for _ in range(RECOVERY_CODE_COUNT)]
    db.add_all(RecoveryCode(user_id=user.id, code_hash=recovery_hash(code), created_at=now) for code in codes)
    db.flush()
    return ["-".join(code[i:i + 4] for i in range(0, len(code), 4)) for code in codes]


def recovery_codes_left(db, user: User) -> int:
    return db.scalar(select(func.count()).select_from(RecoveryCode)
                     .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)))


def confirm_setup(db, user: User, code, now: datetime) -> list[str] | None:
    """Two-factor on, when ``code`` is the current code of the secret being set up: the recovery
    codes to show once; None when the code is wrong (nothing changes)."""
    if not is_being_set_up(user) or not TOTP_CODE.match(code := normalize_code(code)):
        return None
    if not _take_step(db, user, code, now):
        return None
    user.totp_enabled_at = now
    return new_recovery_codes(db, user, now)


def verify(db, user: User, code, now: datetime) -> str | None:
    """Check a second factor of a user who has two-factor on: 'totp' or 'recovery' for what was
    accepted (a recovery code is used up), None for a wrong, reused or expired code."""
    if not is_enabled(user):
        return None
    code = normalize_code(code)
    if TOTP_CODE.match(code):
        return "totp" if _take_step(db, user, code, now) else None
    if RECOVERY_CODE.match(code):
        used = db.execute(
            update(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.code_hash == recovery_hash(code),
                                       RecoveryCode.used_at.is_(None))
            .values(used_at=now).execution_options(synchronize_session=False)
        ).rowcount
        return "recovery" if used == 1 else None
    return None


def turn_off(db, user: User) -> None:
    """Two-factor off: the secret and the recovery codes are forgotten."""
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    db.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
