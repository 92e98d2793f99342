"""The parties (customer companies), their contracts, who acts for them and who manages them."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, check_in, utcnow
from portal.identity.models import User


class MembershipState(enum.StrEnum):
    requested = "requested"
    active = "active"
    revoked = "revoked"


class Party(Base):
    """A customer company. A holding is a party whose children name it as parent."""

    __tablename__ = "parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(255), index=True)
    tax_id: Mapped[str | None] = mapped_column(String(32), index=True)
    address: Mapped[str | None] = mapped_column(Text)
    # Master data a customer may ask to change (through a change request only).
    billing_address: Mapped[str | None] = mapped_column(Text)
    contact_person: Mapped[str | None] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    # Bank details as the accounting system keeps them, in three fields (changes/bank.py: what is accepted).
    bank_name: Mapped[str | None] = mapped_column(String(200))
    bank_bic: Mapped[str | None] = mapped_column(String(11))
    bank_account: Mapped[str | None] = mapped_column(String(64))  # the account number, or an IBAN
    # How invoices reach the party, and where they go by e-mail (the company e-mail when empty).
    invoice_channel: Mapped[str | None] = mapped_column(String(16))
    invoice_email: Mapped[str | None] = mapped_column(String(254))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("parties.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    parent: Mapped["Party | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Party"]] = relationship(back_populates="parent")
    contracts: Mapped[list["Contract"]] = relationship(
        back_populates="party", order_by="Contract.valid_from.desc()"
    )


class Contract(Base):
    """A contract between the company and a party, as kept by the accounting system."""

    __tablename__ = "contracts"
    __table_args__ = (UniqueConstraint("party_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)

    party: Mapped[Party] = relationship(back_populates="contracts")


class Membership(Base):
    """A user acting for a party. Only an active membership grants access."""

    __tablename__ = "memberships"
    __table_args__ = (
        UniqueConstraint("user_id", "party_id"),
        CheckConstraint(check_in("state", MembershipState), name="state"),
        Index("ix_memberships_party_id_state", "party_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=MembershipState.requested.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    party: Mapped[Party] = relationship()


class ManagerAssignment(Base):
    """An account manager's responsibility for a party."""

    __tablename__ = "manager_assignments"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[int] = mapped_column(
        ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class PartyGroup(Base):
    """A named set of customer parties kept by administrators ("all dealers", "key accounts"), so
    that what is meant for several customers (a document) can be shown to the group at once."""

    __tablename__ = "party_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class PartyGroupMember(Base):
    """A party's membership of a party group."""

    __tablename__ = "party_group_members"

    group_id: Mapped[int] = mapped_column(ForeignKey("party_groups.id", ondelete="CASCADE"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True, index=True)
