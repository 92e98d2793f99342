"""The outbox: e-mails and SMS written in the same transaction as the change they report.

A rolled-back change leaves no row, so nothing is sent for it; a mail server or
SMS gateway that is down leaves the rows pending, so nothing is lost.
``portal-worker`` delivers them (services.py, sms.py) and keeps a row of each
attempt, with its time and outcome.
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


class OutboxChannel(enum.StrEnum):
    email = "email"
    sms = "sms"


class AttemptOutcome(enum.StrEnum):
    sent = "sent"
    retry = "retry"  # failed this time, tried again later
    failed = "failed"  # failed for good


class OutboxMessage(Base):
    """One e-mail or SMS to one recipient (an address, or a phone number), with its delivery state."""

    __tablename__ = "outbox"
    __table_args__ = (
        CheckConstraint(check_in("state", OutboxState), name="state"),
        CheckConstraint(check_in("channel", OutboxChannel), name="channel"),
        # The worker's claim, per channel: the oldest pending rows that are due.
        Index("ix_outbox_due", "channel", "state", "next_attempt_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="SET NULL"))
    # What caused it, e.g. "request.resolve": shown to the admin, not to the recipient.
    topic: Mapped[str] = mapped_column(String(64), default="")
    channel: Mapped[str] = mapped_column(String(8), default=OutboxChannel.email.value,
                                         server_default=OutboxChannel.email.value)
    # An e-mail address, or a phone number in international form.
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16), default=OutboxState.pending.value)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxAttempt(Base):
    """One try at delivering an outbox row: when, and what came of it (its delivery history)."""

    __tablename__ = "outbox_attempts"
    __table_args__ = (CheckConstraint(check_in("outcome", AttemptOutcome), name="outcome"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("outbox.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    outcome: Mapped[str] = mapped_column(String(8))
    error: Mapped[str | None] = mapped_column(String(500))
