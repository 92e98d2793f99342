"""API keys (stored as a hash only) and the log of every API call."""
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.meta import Base, UTCDateTime, check_in, utcnow


class ApiScope(enum.StrEnum):
    read = "read"
    write = "write"


class ApiKey(Base):
    """A bearer token of the accounting system (or another integration).

    Only the SHA-256 of the token is kept. The token is 256 random bits
    (``secrets.token_urlsafe(32)``), so nobody can guess or brute-force it from
    its hash, and a slow hash (argon2) would only cost every call its time
    without protecting anything; the hash lets us find the key with one
    indexed lookup. ``prefix`` (the token's first characters) names the key on
    the admin page and in the log without revealing it.
    """

    __tablename__ = "api_keys"
    __table_args__ = (CheckConstraint(check_in("scope", ApiScope), name="scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    scope: Mapped[str] = mapped_column(String(8), default=ApiScope.read.value)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiCall(Base):
    """One call of ``/api/v1/``: who, what, how many rows came out how, and how long it took."""

    __tablename__ = "api_calls"

    id: Mapped[int] = mapped_column(primary_key=True)
    key_id: Mapped[int | None] = mapped_column(ForeignKey("api_keys.id", ondelete="SET NULL"), index=True)
    method: Mapped[str] = mapped_column(String(8))
    endpoint: Mapped[str] = mapped_column(String(200))
    status: Mapped[int] = mapped_column(Integer)
    outcome: Mapped[str] = mapped_column(String(16))
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    duration_ms: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
