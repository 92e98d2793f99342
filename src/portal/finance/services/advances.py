"""Advance schedules: their states by name, the totals of a listed set (in the database, per currency),
and writing a schedule as the accounting system reports it (an idempotent upsert on its ``external_id``,
through which the demo and the API write)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import case, distinct, func, select

from portal.finance.models import ZERO
from portal.finance.models.advances import AdvancePayment, AdvanceSchedule, AdvanceState
from portal.finance.services.invoices import CENT
from portal.finance.services.records import RecordRefused
from portal.i18n import _
from portal.parties.models import Contract

STATE_TITLES = {
    AdvanceState.planned: _("Planned"),
    AdvanceState.paid: _("Paid"),
    AdvanceState.overdue: _("Overdue"),
}


@dataclass(frozen=True)
class PlannedPayment:
    """One advance payment as reported: due when, how much, and what of it was paid when."""

    due_date: date
    amount: Decimal
    paid_amount: Decimal = ZERO
    paid_on: date | None = None


@dataclass(frozen=True)
class AdvanceTotals:
    """What a set of schedules in one currency plans, what of it was paid, and what is left to pay."""

    currency: str
    count: int
    planned: Decimal
    paid: Decimal
    remainder: Decimal


def advance_totals(session, statement) -> list[AdvanceTotals]:
    """The totals of every schedule ``statement`` selects (all of them, not one page), per currency,
    summed by the database over the statement's own filters: those of exactly what is listed. The
    subquery selects only what the sums join on and group by, so ``statement`` is a plain select of
    schedules (as ``invoice_totals``'s is of invoices)."""
    listed = statement.with_only_columns(AdvanceSchedule.id, AdvanceSchedule.currency).order_by(None).subquery()
    owed = case((AdvancePayment.paid_amount < AdvancePayment.amount,
                 AdvancePayment.amount - AdvancePayment.paid_amount), else_=ZERO)
    rows = session.execute(
        select(listed.c.currency, func.count(distinct(listed.c.id)),
               func.coalesce(func.sum(AdvancePayment.amount), ZERO),
               func.coalesce(func.sum(AdvancePayment.paid_amount), ZERO),
               func.coalesce(func.sum(owed), ZERO))
        .select_from(listed).outerjoin(AdvancePayment, AdvancePayment.schedule_id == listed.c.id)
        .group_by(listed.c.currency).order_by(listed.c.currency)
    )
    return [AdvanceTotals(currency, count, _money(planned), _money(paid), _money(remainder))
            for currency, count, planned, paid, remainder in rows]


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def upsert_advance_schedule(session, *, external_id: str, party_id: int, contract_id: int, number: str,
                            issue_date: date, period_start: date, period_end: date,
                            payments: list[PlannedPayment], currency: str = "RUB",
                            pdf_sha256: str | None = None) -> AdvanceSchedule:
    """The schedule ``external_id`` as reported now (made, or brought up to date with its payments replaced)."""
    if period_end < period_start:
        raise RecordRefused(f"advance schedule {number}: its period ends before it starts")
    if not payments:
        raise RecordRefused(f"advance schedule {number}: it plans no payment")
    if any(p.amount <= 0 or p.paid_amount < 0 for p in payments):
        raise RecordRefused(f"advance schedule {number}: a payment's amount is not positive")
    contract = session.get(Contract, contract_id)
    if contract is None or contract.party_id != party_id:
        raise RecordRefused(f"advance schedule {number}: contract {contract_id} is not this party's")
    schedule = session.scalars(select(AdvanceSchedule).where(AdvanceSchedule.external_id == external_id)).first()
    if schedule is None:
        schedule = AdvanceSchedule(external_id=external_id)
        session.add(schedule)
    elif schedule.party_id != party_id:
        raise RecordRefused(f"advance schedule {external_id}: it belongs to another party")
    schedule.party_id, schedule.contract_id, schedule.number = party_id, contract_id, number
    schedule.issue_date, schedule.period_start, schedule.period_end = issue_date, period_start, period_end
    schedule.currency, schedule.pdf_sha256 = currency, pdf_sha256
    if schedule.payments:  # the old rows go first: the new ones take their positions
        schedule.payments.clear()
        session.flush()
    schedule.payments = [
        AdvancePayment(position=n, due_date=p.due_date, amount=Decimal(p.amount), paid_amount=Decimal(p.paid_amount),
                       paid_on=p.paid_on)
        for n, p in enumerate(payments, start=1)
    ]
    session.flush()
    return schedule
