"""Advance schedules (zálohy, графики авансов): the advance payments a contract plans for a period,
each due on a day, with what the accounting system has seen paid of each.

A payment's state is worked out from its amounts, its due date and the day, as an invoice's is
(``AdvancePayment.state_on`` in Python, ``payment_state_conditions`` in SQL), so a payment turns
overdue at midnight without anybody writing it; one paid in part is still planned until its due
day has passed. A schedule is overdue while one of its payments is, paid when all of them are,
and planned otherwise.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, Integer, String, UniqueConstraint, and_, exists, not_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, utcnow
from portal.finance.models import MONEY, ZERO


class AdvanceState(enum.StrEnum):
    """Where a planned advance payment (or a whole schedule) stands on a day."""

    planned = "planned"
    paid = "paid"
    overdue = "overdue"


class AdvanceSchedule(Base):
    """The advance payments the accounting system plans under one contract of a party for a period."""

    __tablename__ = "advance_schedules"
    __table_args__ = (
        UniqueConstraint("party_id", "number"),
        Index("ix_advance_schedules_party_id_issue_date", "party_id", "issue_date"),
        CheckConstraint("period_end >= period_start", name="period"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    contract_id: Mapped[int] = mapped_column(ForeignKey("contracts.id", ondelete="CASCADE"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    issue_date: Mapped[date] = mapped_column(Date)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    # The PDF the accounting system made of it, in the content-addressed store; served instead of ours.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contract = relationship("Contract")
    party = relationship("Party")
    payments: Mapped[list["AdvancePayment"]] = relationship(
        back_populates="schedule", order_by="AdvancePayment.position", cascade="all, delete-orphan")

    @property
    def planned_amount(self) -> Decimal:
        return sum((p.amount for p in self.payments), ZERO)

    @property
    def paid_amount(self) -> Decimal:
        return sum((p.paid_amount for p in self.payments), ZERO)

    @property
    def remainder(self) -> Decimal:
        """What is still to pay of the plan (a payment paid beyond its amount leaves nothing, not less)."""
        return sum((p.remainder for p in self.payments), ZERO)

    def state_on(self, today: date) -> AdvanceState:
        """The schedule's state on ``today``: what ``schedule_state_conditions`` writes in SQL."""
        states = {payment.state_on(today) for payment in self.payments}
        if AdvanceState.overdue in states:
            return AdvanceState.overdue
        if AdvanceState.planned in states:
            return AdvanceState.planned
        return AdvanceState.paid


class AdvancePayment(Base):
    """One planned advance payment of a schedule: how much is due on which day, and what was paid."""

    __tablename__ = "advance_payments"
    __table_args__ = (
        UniqueConstraint("schedule_id", "position"),
        CheckConstraint("amount > 0", name="amount"),
        CheckConstraint("paid_amount >= 0", name="paid_amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    schedule_id: Mapped[int] = mapped_column(ForeignKey("advance_schedules.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    paid_on: Mapped[date | None] = mapped_column(Date)

    schedule: Mapped[AdvanceSchedule] = relationship(back_populates="payments")

    @property
    def remainder(self) -> Decimal:
        return max(self.amount - self.paid_amount, ZERO)

    def state_on(self, today: date) -> AdvanceState:
        """The state on ``today``: the rule ``payment_state_conditions`` writes in SQL (due today is not
        yet overdue; paid in part is planned until the due day has passed)."""
        if self.paid_amount >= self.amount:
            return AdvanceState.paid
        if self.due_date < today:
            return AdvanceState.overdue
        return AdvanceState.planned


def payment_state_conditions(today: date) -> dict:
    """State -> the SQL condition of an advance payment being in it on ``today``; exactly one holds."""
    unpaid = AdvancePayment.paid_amount < AdvancePayment.amount
    return {
        AdvanceState.planned: and_(unpaid, AdvancePayment.due_date >= today),
        AdvanceState.paid: AdvancePayment.paid_amount >= AdvancePayment.amount,
        AdvanceState.overdue: and_(unpaid, AdvancePayment.due_date < today),
    }


def schedule_state_conditions(today: date) -> dict:
    """State -> the SQL condition of a schedule being in it on ``today`` (``AdvanceSchedule.state_on``
    in SQL): conditions on its payments, which an index on the schedule's id finds."""
    payments = payment_state_conditions(today)

    def has(condition):
        return exists().where(AdvancePayment.schedule_id == AdvanceSchedule.id, condition)

    return {
        AdvanceState.planned: and_(not_(has(payments[AdvanceState.overdue])), has(payments[AdvanceState.planned])),
        AdvanceState.paid: not_(has(AdvancePayment.paid_amount < AdvancePayment.amount)),
        AdvanceState.overdue: has(payments[AdvanceState.overdue]),
    }
