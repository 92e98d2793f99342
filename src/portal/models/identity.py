"""Who uses the portal: users, the parties (customer companies) they act for,
their contracts, memberships, staff roles and manager assignments."""
import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .meta import Base, UTCDateTime, utcnow


def _check_in(column: str, values: type[enum.Enum]) -> str:
    return "%s IN (%s)" % (column, ", ".join("'%s'" % v.value for v in values))


class UserState(enum.StrEnum):
    active = "active"
    blocked = "blocked"


class Role(enum.StrEnum):
    """Staff roles; a customer user has none."""

    backoffice = "backoffice"
    service = "service"
    manager = "manager"
    head = "head"
    admin = "admin"


class MembershipState(enum.StrEnum):
    requested = "requested"
    active = "active"
    revoked = "revoked"


class User(Base):
    """A person who logs in: a customer's employee or a member of staff."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(_check_in("state", UserState), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str | None] = mapped_column(String(8))
    # Whether workflow news about the user's own items also come by e-mail (the outbox).
    email_notifications: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    state: Mapped[str] = mapped_column(String(16), default=UserState.active.value)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        parts = [self.last_name, self.first_name, self.middle_name]
        return " ".join(p for p in parts if p) or self.login

    @property
    def is_active(self) -> bool:
        return self.state == UserState.active


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
    bank_account: Mapped[str | None] = mapped_column(String(64))
    invoice_channel: Mapped[str | None] = mapped_column(String(16))
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
        CheckConstraint(_check_in("state", MembershipState), name="state"),
        Index("ix_memberships_party_id_state", "party_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(16), default=MembershipState.requested.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    party: Mapped[Party] = relationship()


class UserRole(Base):
    """A staff role held by a user."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(_check_in("role", Role), name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class ManagerAssignment(Base):
    """An account manager's responsibility for a party."""

    __tablename__ = "manager_assignments"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    party_id: Mapped[int] = mapped_column(
        ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True, index=True
    )
