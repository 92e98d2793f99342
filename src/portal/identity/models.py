"""Who logs in: users, their staff roles, their server-side login sessions and failed logins.

Login sessions and failures live in the database so that lockouts and logouts
hold across every worker process, and a stolen cookie dies with its session row.
"""
import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Boolean, CheckConstraint, ForeignKey, Index, Integer, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, check_in, utcnow

if TYPE_CHECKING:  # a user's memberships are the parties package's rows
    from portal.parties.models import Membership


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


def full_name(user) -> str:
    """The name as the portal writes it (last, first, middle), or the login when no name is known: of
    a ``User``, or of a row of its columns (a list page's)."""
    parts = [user.last_name, user.first_name, user.middle_name]
    return " ".join(p for p in parts if p) or user.login


class User(Base):
    """A person who logs in: a customer's employee or a member of staff."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint(check_in("state", UserState), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    login: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str | None] = mapped_column(String(254))
    phone: Mapped[str | None] = mapped_column(String(32))
    last_name: Mapped[str] = mapped_column(String(100), default="")
    first_name: Mapped[str] = mapped_column(String(100), default="")
    middle_name: Mapped[str] = mapped_column(String(100), default="")
    language: Mapped[str | None] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(16), default=UserState.active.value)
    # The id in the system that sent the user through the API; None for one made in the portal.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A temporary password (staff issued it): the next login asks for a new one before anything else.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Two-factor (identity/two_factor.py): the TOTP secret, shown only while it is being set up;
    # two-factor is on once a first code confirmed it. The last time step a code was taken for,
    # so that a code seen over a shoulder cannot be used again.
    totp_secret: Mapped[str | None] = mapped_column(String(32))
    totp_enabled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    totp_last_step: Mapped[int | None] = mapped_column(Integer)

    roles: Mapped[list["UserRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )
    memberships: Mapped[list["Membership"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    @property
    def full_name(self) -> str:
        return full_name(self)

    def greeting_name(self, language: str | None) -> str:
        """How a letter in ``language`` addresses the user: in Russian by first name and
        patronymic ("Сергей Петрович"), otherwise by first name; the full name when there is no
        first name."""
        if not self.first_name:
            return self.full_name
        if language == "ru" and self.middle_name:
            return f"{self.first_name} {self.middle_name}"
        return self.first_name

    @property
    def is_active(self) -> bool:
        return self.state == UserState.active


class UserRole(Base):
    """A staff role held by a user."""

    __tablename__ = "user_roles"
    __table_args__ = (CheckConstraint(check_in("role", Role), name="role"),)

    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[str] = mapped_column(String(16), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class AuthSession(Base):
    """One logged-in browser. The cookie holds a token; we keep only its hash."""

    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(255))

    user: Mapped[User] = relationship()


class RecoveryCode(Base):
    """A one-time code that stands in for a TOTP code when the phone is lost; only its SHA-256 is kept
    (a code has 80 random bits, so its hash cannot be reversed)."""

    __tablename__ = "recovery_codes"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class LoginFailure(Base):
    """A failed login attempt, counted per client address for throttling and per login for its lock."""

    __tablename__ = "login_failures"
    __table_args__ = (Index("ix_login_failures_ip_at", "ip", "at"), Index("ix_login_failures_login_at", "login", "at"))

    id: Mapped[int] = mapped_column(primary_key=True)
    ip: Mapped[str] = mapped_column(String(45))
    login: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
