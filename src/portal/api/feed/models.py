"""The feed: events of what customers submitted, each written in the transaction of the change it
reports, and how far each API key was served and has acknowledged each kind.

``seq`` is the event's place in commit order (services.py): on PostgreSQL a
number drawn while its transaction commits, NULL until then; 0 on SQLite,
where id order is commit order. Events are served in ``(seq, id)`` order.
"""
from datetime import datetime

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.meta import Base, UTCDateTime, utcnow


class FeedEvent(Base):
    """One event of one kind (``readings``, ``requests`` …) with its JSON payload."""

    __tablename__ = "feed_events"
    __table_args__ = (
        Index("ix_feed_events_kind_seq_id", "kind", "seq", "id"),
        # Ids never come back after the newest rows are deleted: a cursor past them stays past.
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    seq: Mapped[int | None] = mapped_column(BigInteger)
    payload: Mapped[dict] = mapped_column(JSON)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedPosition(Base):
    """Where one API key (a consumer) stands in one kind: the last event served to it and the last it
    acknowledged, each as ``(seq, event id)``; an acknowledged event is never served to it again."""

    __tablename__ = "feed_positions"

    key_id: Mapped[int] = mapped_column(ForeignKey("api_keys.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    served_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    served_id: Mapped[int] = mapped_column(Integer, default=0)
    acked_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    acked_id: Mapped[int] = mapped_column(Integer, default=0)
    served_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
