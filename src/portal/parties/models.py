"""The parties (customer companies), their contracts, who acts for them and who manages them."""
import enum
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, check_in, utcnow
from portal.identity.models import User


class MembershipState(enum.StrEnum):
    """Only an active membership lets its user in; a suspended one is meant to be resumed, a revoked one
    has ended (both keep the row, and its history, and can be made active again)."""

    requested = "requested"
    active = "active"
    suspended = "suspended"
    revoked = "revoked"


# The audit action of moving a membership into a state, wherever it is moved (admin pages, the API).
MEMBERSHIP_ACTIONS = {
    MembershipState.active: "membership.activate",
    MembershipState.suspended: "membership.suspend",
    MembershipState.revoked: "membership.revoke",
}


class MembershipRole(enum.StrEnum):
    """What a member does for its party, which decides what it sees there beside what every member sees.

    A package grants a permission to the members of one role (``add_party_grants(member=…,
    member_role="finance")``); ``all`` holds every role, and is what each membership was before roles
    existed. Two roles and their sum cover every choice, so a membership has exactly one.
    """

    all = "all"
    finance = "finance"
    operations = "operations"


def member_scopes(role: str) -> tuple[str, ...]:
    """The roles a membership of ``role`` acts in: every one for ``all``, else that one."""
    if role == MembershipRole.all:
        return tuple(r.value for r in MembershipRole if r != MembershipRole.all)
    return (MembershipRole(role).value,)


class PartyState(enum.StrEnum):
    """A blocked party is shown to staff only: its members neither see it nor hear of it."""

    active = "active"
    blocked = "blocked"


class Party(Base):
    """A customer company. A holding is a party whose children name it as parent."""

    __tablename__ = "parties"
    __table_args__ = (CheckConstraint(check_in("state", PartyState), name="state"),)

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
    state: Mapped[str] = mapped_column(String(16), default=PartyState.active.value,
                                       server_default=PartyState.active.value)
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
        CheckConstraint(check_in("role", MembershipRole), name="role"),
        Index("ix_memberships_party_id_state", "party_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=MembershipState.requested.value)
    role: Mapped[str] = mapped_column(String(16), default=MembershipRole.all.value,
                                      server_default=MembershipRole.all.value)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    party: Mapped[Party] = relationship()


class CustomerLicence(Base):
    """The one row (id 1) that serialises taking a customer seat of the licence
    (``portal.max_customer_users``, parties/licence.py): a change that may add a customer user
    updates it before counting, so of two such changes at once the second counts after the first
    has committed."""

    __tablename__ = "customer_licence"

    id: Mapped[int] = mapped_column(primary_key=True)
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


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


def party_group_ids(party_id):
    """SQL: the ids of the party groups the party ``party_id`` (a value or a column) is in — how whatever
    is meant for customer groups (documents, price lists) asks whether a party is among them."""
    return select(PartyGroupMember.group_id).where(PartyGroupMember.party_id == party_id)
