"""The records of onboarding: account tokens (random, stored hashed, expiring, dead on use),
self-registrations, requests to act for a company, SMS codes, and the counts of rate limits."""
import enum
from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, check_in, utcnow


class TokenPurpose(enum.StrEnum):
    """What a token lets its holder do, once."""

    password_reset = "password_reset"
    invitation = "invitation"
    email_confirmation = "email_confirmation"
    activation = "activation"


class AccountToken(Base):
    """A token sent to a person (a link, or the two parts of an activation secret).

    Only the SHA-256 of the token is kept: the token is 256 random bits, so its
    hash cannot be reversed or guessed, and it is found by one indexed lookup.
    """

    __tablename__ = "account_tokens"
    __table_args__ = (
        CheckConstraint(check_in("purpose", TokenPurpose), name="purpose"),
        Index("ix_account_tokens_user_id_purpose", "user_id", "purpose"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    purpose: Mapped[str] = mapped_column(String(24))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # What the token carries besides the user (e.g. the party an invitation is for).
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    user = relationship("User", foreign_keys=[user_id])


class Registration(Base):
    """A person's self-registration (``/register``) until it is complete: the e-mail confirmed by a
    link, the phone by an SMS code.

    The password chosen is kept here, not on the user, until both are confirmed, so nobody logs in
    with an address or a number that was never shown to be theirs.
    """

    __tablename__ = "registrations"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    password_hash: Mapped[str | None] = mapped_column(String(255))
    email_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    phone_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")


class MembershipRequestState(enum.StrEnum):
    """Where a request to act for a company stands."""

    # Made with a registration, until its e-mail and phone are confirmed: not the back office's yet.
    unconfirmed = "unconfirmed"
    requested = "requested"
    bound = "bound"
    rejected = "rejected"


class MembershipRequest(Base):
    """A person asks to act for a company, named as they typed it (its name and tax id, or a customer
    number); the back office checks it and binds them to a party, or rejects it with a reason."""

    __tablename__ = "membership_requests"
    __table_args__ = (
        CheckConstraint(check_in("state", MembershipRequestState), name="state"),
        Index("ix_membership_requests_state_created_at", "state", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    company_name: Mapped[str] = mapped_column(String(255))
    tax_id: Mapped[str | None] = mapped_column(String(32))
    customer_number: Mapped[str | None] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(16), default=MembershipRequestState.unconfirmed.value)
    # The party the back office bound the person to.
    party_id: Mapped[int | None] = mapped_column(ForeignKey("parties.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    user = relationship("User", foreign_keys=[user_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    party = relationship("Party")


class SmsCode(Base):
    """A code sent by SMS to confirm a phone number: a few tries, a few minutes, then dead."""

    __tablename__ = "sms_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    phone: Mapped[str] = mapped_column(String(32))
    code_hash: Mapped[str] = mapped_column(String(64))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class RateLimitHit(Base):
    """One counted event of a rate limit (limits.py), e.g. an SMS code sent to a number; kept in the
    database so the limit holds across worker processes."""

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_name_key_at", "name", "key", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(32))
    key: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
