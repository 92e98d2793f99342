"""Service tickets with priorities and the SLA that sets their due time."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, utcnow


class SlaPolicy(Base):
    """Hours to resolve a ticket of one priority; counted in business hours or around the clock.

    ``customer_may_choose``: whether customers may open a ticket at this priority
    (staff may always); an emergency level is kept for staff to give.
    """

    __tablename__ = "sla_policies"

    priority: Mapped[str] = mapped_column(String(16), primary_key=True)
    resolve_hours: Mapped[int] = mapped_column(Integer)
    business_hours: Mapped[bool] = mapped_column(Boolean, default=False)
    customer_may_choose: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())


class ServiceTicket(Base):
    """A service ticket ("servisní požadavek") assigned to a responsible person."""

    __tablename__ = "service_tickets"
    __table_args__ = (
        Index("ix_service_tickets_party_id_state", "party_id", "state"),
        Index("ix_service_tickets_state_due_at", "state", "due_at"),
        Index("ix_service_tickets_assignee_id_state", "assignee_id", "state"),
        Index("ix_service_tickets_group_id_state", "group_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(16), default="normal")
    state: Mapped[str] = mapped_column(String(24))
    group_id: Mapped[int | None] = mapped_column(ForeignKey("staff_groups.id", ondelete="SET NULL"))
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(Integer, default=1)

    party = relationship("Party")
    author = relationship("User", foreign_keys=[author_id])
    assignee = relationship("User", foreign_keys=[assignee_id])
    group = relationship("StaffGroup")

    __mapper_args__ = {"version_id_col": version}
