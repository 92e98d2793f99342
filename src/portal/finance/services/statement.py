"""The settlement statement (акт сверки): a party's invoices and payments of a period in date order,
with the balance before, after each line, and at the end — per currency.

The balance is what the customer owes: invoices add to it, payments take from
it (cancelled invoices count for nothing). The opening balance of a period is
every invoice and payment before its first day, so the closing balance of one
period is the opening balance of the next, however the periods are cut.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import func, literal, select, union_all

from portal.finance.models import ZERO, Invoice, Payment

INVOICE, PAYMENT = "invoice", "payment"


@dataclass(frozen=True)
class StatementLine:
    """One document of the period: an invoice (debit) or a payment (credit), and the balance after it."""

    on: date
    kind: str
    id: int
    number: str
    purpose: str
    debit: Decimal
    credit: Decimal
    balance: Decimal


@dataclass
class CurrencyStatement:
    """The statement in one currency."""

    currency: str
    opening: Decimal
    lines: list[StatementLine] = field(default_factory=list)

    @property
    def debit(self) -> Decimal:
        return sum((line.debit for line in self.lines), ZERO)

    @property
    def credit(self) -> Decimal:
        return sum((line.credit for line in self.lines), ZERO)

    @property
    def closing(self) -> Decimal:
        return self.lines[-1].balance if self.lines else self.opening


@dataclass
class Statement:
    """A party's statement from ``start`` to ``end`` (both days included), one section per currency
    that has a balance or a document by its end."""

    party_id: int
    start: date
    end: date
    sections: list[CurrencyStatement]

    def closing(self) -> dict[str, Decimal]:
        return {s.currency: s.closing for s in self.sections}

    def opening(self) -> dict[str, Decimal]:
        return {s.currency: s.opening for s in self.sections}


def _documents(party_id):
    """SQL: the party's invoices (not cancelled) and payments as signed rows of one shape."""
    invoices = select(
        Invoice.issue_date.label("booked_on"), literal(0).label("sequence"), Invoice.id.label("id"),
        Invoice.number.label("number"), literal("").label("purpose"), Invoice.currency.label("currency"),
        Invoice.total_amount.label("debit"), literal(ZERO, Invoice.total_amount.type).label("credit"),
    ).where(Invoice.party_id == party_id, Invoice.cancelled.is_(False))
    payments = select(
        Payment.paid_on, literal(1), Payment.id, func.coalesce(Payment.number, ""), Payment.purpose,
        Payment.currency, literal(ZERO, Payment.amount.type), Payment.amount,
    ).where(Payment.party_id == party_id)
    return union_all(invoices, payments).subquery()


def settlement_statement(session, party_id: int, start: date, end: date) -> Statement:
    """The statement of ``party_id`` for ``start``..``end``: two statements, summed and ordered by the database."""
    if start > end:
        raise ValueError("the period ends before it starts")
    documents = _documents(party_id)
    openings = {
        currency: Decimal(debit) - Decimal(credit)
        for currency, debit, credit in session.execute(
            select(documents.c.currency, func.sum(documents.c.debit), func.sum(documents.c.credit))
            .where(documents.c.booked_on < start).group_by(documents.c.currency))
    }
    rows = session.execute(
        select(documents).where(documents.c.booked_on.between(start, end))
        .order_by(documents.c.booked_on, documents.c.sequence, documents.c.id)
    ).all()
    sections: dict[str, CurrencyStatement] = {
        currency: CurrencyStatement(currency, _cents(opening)) for currency, opening in openings.items()
    }
    for row in rows:
        section = sections.setdefault(row.currency, CurrencyStatement(row.currency, ZERO))
        debit, credit = _cents(row.debit), _cents(row.credit)
        section.lines.append(StatementLine(
            on=row.booked_on, kind=INVOICE if row.sequence == 0 else PAYMENT, id=row.id, number=row.number,
            purpose=row.purpose, debit=debit, credit=credit, balance=section.closing + debit - credit))
    ordered = [sections[c] for c in sorted(sections) if sections[c].lines or sections[c].opening]
    return Statement(party_id, start, end, ordered)


def _cents(value) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))
