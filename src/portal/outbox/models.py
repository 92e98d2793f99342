"""The outbox: e-mails written in the same transaction as the change they report.

A rolled-back change leaves no row, so nothing is sent for it; a mail server
that is down leaves the rows pending, so nothing is lost. ``portal-worker``
delivers them (services/outbox.py).
"""
import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.meta import Base, UTCDateTime, check_in, utcnow


class OutboxState(enum.StrEnum):
    pending = "pending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(Base):
    """One e-mail to one recipient, with its delivery state and attempts."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(check_in("state", OutboxState), name="state"),
        # The worker's claim: the oldest pending rows that are due.
        Index("ix_outbox_due", "state", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="SET NULL"))
    # What caused it, e.g. "request.resolve": shown to the admin, not to the recipient.
    topic: Mapped[str] = mapped_column(String(64), default="")
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
