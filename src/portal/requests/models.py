"""Customer requests ("žádost") and their admin-configured types."""
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, utcnow


class RequestType(Base):
    """A kind of request: its name per language, the group it goes to, priority and due time."""

    __tablename__ = "request_types"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    names: Mapped[dict] = mapped_column(JSON, default=dict)
    group_id: Mapped[int | None] = mapped_column(ForeignKey("staff_groups.id", ondelete="SET NULL"))
    default_priority: Mapped[str] = mapped_column(String(16), default="normal")
    due_hours: Mapped[int] = mapped_column(Integer, default=72)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    group = relationship("StaffGroup")

    def name(self, language: str) -> str:
        return type_name(self.names, self.code, language)


def type_name(names: dict, code: str, language: str) -> str:
    """A request type's name in ``language``, else in English, else its code."""
    return names.get(language) or names.get("en") or code


class CustomerRequest(Base):
    """A general request filed by a customer user on a party."""

    __tablename__ = "customer_requests"
    __table_args__ = (
        Index("ix_customer_requests_party_id_state", "party_id", "state"),
        Index("ix_customer_requests_state_due_at", "state", "due_at"),
        Index("ix_customer_requests_assignee_id_state", "assignee_id", "state"),
        Index("ix_customer_requests_group_id_state", "group_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    type_id: Mapped[int] = mapped_column(ForeignKey("request_types.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(24))
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    group_id: Mapped[int | None] = mapped_column(ForeignKey("staff_groups.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    type = relationship("RequestType")
    party = relationship("Party")
    author = relationship("User", foreign_keys=[author_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    group = relationship("StaffGroup")

    __mapper_args__ = {"version_id_col": version}
