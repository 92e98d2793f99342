"""Issuing and using account tokens (password reset, invitation, e-mail confirmation, activation).

A token is shown or sent once and only its hash is stored. Issuing one for a user and purpose kills
the user's earlier unused tokens of that purpose, so only the latest link works. Using one locks
its row (``FOR UPDATE`` on PostgreSQL; SQLite serialises writers), so of two uses at the same
moment one succeeds and the other finds it used.
"""
import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select, update

from portal.db.meta import utcnow
from portal.onboarding.models import AccountToken, TokenPurpose

TOKEN_BYTES = 32


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(db, user, purpose: TokenPurpose, lifetime: timedelta, *, created_by_id=None, data=None,
                token: str | None = None, now: datetime | None = None) -> str:
    """A new token for ``user`` (``token`` when the caller composed it, e.g. of two parts); the
    user's earlier unused tokens of ``purpose`` die."""
    now = now or utcnow()
    token = token or secrets.token_urlsafe(TOKEN_BYTES)
    db.execute(update(AccountToken).where(AccountToken.user_id == user.id, AccountToken.purpose == purpose.value,
                                          AccountToken.used_at.is_(None)).values(used_at=now)
               .execution_options(synchronize_session=False))
    db.add(AccountToken(user_id=user.id, purpose=purpose.value, token_hash=token_hash(token), created_at=now,
                        expires_at=now + lifetime, created_by_id=created_by_id, data=data or {}))
    db.flush()
    return token


def valid_token(db, token, purpose: TokenPurpose, *, now: datetime | None = None,
                for_update: bool = False) -> AccountToken | None:
    """The unused, unexpired token of ``purpose``, or None (unknown, forged, used or expired alike)."""
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    statement = select(AccountToken).where(AccountToken.token_hash == token_hash(token),
                                           AccountToken.purpose == purpose.value)
    if for_update:
        statement = statement.with_for_update()
    record = db.scalars(statement).first()
    if record is None or record.used_at is not None or record.expires_at <= (now or utcnow()):
        return None
    return record


def use_token(db, token, purpose: TokenPurpose, *, now: datetime | None = None) -> AccountToken | None:
    """Use the token (it is dead afterwards) and return it; None when it cannot be used."""
    now = now or utcnow()
    record = valid_token(db, token, purpose, now=now, for_update=True)
    if record is not None:
        record.used_at = now
        db.flush()
    return record
