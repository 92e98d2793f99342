"""What each person wants to hear of, and how: a channel per kind of notification, and the defaults
an administrator gives each staff role."""
import enum

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.meta import Base, check_in
from portal.identity.models import Role


class Channel(enum.StrEnum):
    """How a notification reaches its person: e-mail or SMS (both with the in-portal notice where the
    kind has one), the in-portal notice only, or not at all."""

    email = "email"
    sms = "sms"
    portal = "portal"
    off = "off"


class NotificationPreference(Base):
    """A user's own choice of channel for one kind of notification (notifications/kinds.py)."""

    __tablename__ = "notification_preferences"
    __table_args__ = (CheckConstraint(check_in("channel", Channel), name="channel"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))


class RoleNotificationDefault(Base):
    """The channel of one kind for the holders of a staff role who chose none themselves."""

    __tablename__ = "role_notification_defaults"
    __table_args__ = (
        CheckConstraint(check_in("role", Role), name="role"),
        CheckConstraint(check_in("channel", Channel), name="channel"),
    )

    role: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    channel: Mapped[str] = mapped_column(String(8))
