"""Messages between staff and a party, in threads, with per-recipient receipts."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, utcnow


class MessageThread(Base):
    """A conversation on one subject between the company and one party."""

    __tablename__ = "message_threads"
    __table_args__ = (
        Index("ix_message_threads_party_id_last_message_at", "party_id", "last_message_at"),
        # /messages/ lists threads across parties, newest first.
        Index("ix_message_threads_last_message_at", "last_message_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The staff group that answers the party's side here, chosen when the thread starts (services.py).
    group_id: Mapped[int | None] = mapped_column(ForeignKey("staff_groups.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    party = relationship("Party")
    messages = relationship("Message", back_populates="thread", order_by="Message.id")


class Message(Base):
    """One message; its state is sent, then delivered (shown to a recipient), then read."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_party_id_state", "party_id", "state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(ForeignKey("message_threads.id", ondelete="CASCADE"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    from_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    thread = relationship("MessageThread", back_populates="messages")
    author = relationship("User")
    receipts = relationship("MessageReceipt", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}


class MessageReceipt(Base):
    """When one recipient got (delivered_at) and first opened (read_at) a message."""

    __tablename__ = "message_receipts"
    # The header's unread counter: one user's receipts not yet read, found without reading the rest.
    __table_args__ = (Index("ix_message_receipts_user_id_read_at", "user_id", "read_at"),)

    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user = relationship("User")
