"""API keys (stored as a hash only), the log of every API call, and the references to records that never arrived."""
import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The feed's and the webhooks' tables, kept in their sub-packages, load with the API's models
# (db/__init__.py loads each top-level package's models module).
from portal.api.feed.models import FeedEvent, FeedPosition  # noqa: F401
from portal.api.webhooks.models import Webhook, WebhookDelivery  # noqa: F401
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

    key = relationship("ApiKey")


class ApiInconsistency(Base):
    """One reference of one record that named what does not exist here (yet)."""

    __tablename__ = "api_inconsistencies"
    __table_args__ = (UniqueConstraint("entity", "external_id", "field"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(64))
    field: Mapped[str] = mapped_column(String(64))
    reference: Mapped[str] = mapped_column(String(200))
    row: Mapped[dict] = mapped_column(JSON)  # the row as it was last sent, to apply again
    first_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
