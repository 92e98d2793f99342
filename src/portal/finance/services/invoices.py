"""Invoices: their states by name, the totals of a listed set (in the database, per currency), what
paid each one, and the arithmetic of a line as the accounting system does it."""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, or_, select

from portal.finance.models import ZERO, Invoice, InvoiceState, Payment, PaymentAllocation
from portal.i18n import _

STATE_TITLES = {
    InvoiceState.open: _("Open"),
    InvoiceState.partially_paid: _("Partially paid"),
    InvoiceState.paid: _("Paid"),
    InvoiceState.overdue: _("Overdue"),
    InvoiceState.cancelled: _("Cancelled"),
}
CENT = Decimal("0.01")
# What invoice_totals reads of each listed invoice.
SUMMED = (Invoice.currency, Invoice.cancelled, Invoice.total_amount, Invoice.paid_amount)


def local_today(tz) -> date:
    """Today in the company's time zone: the day an invoice turns overdue in."""
    return datetime.now(tz).date()


@dataclass(frozen=True)
class CurrencyTotals:
    """What a set of invoices in one currency adds up to. Cancelled invoices are counted, not summed."""

    currency: str
    count: int
    total: Decimal
    paid: Decimal
    remainder: Decimal


def invoice_totals(session, statement) -> list[CurrencyTotals]:
    """The totals of every invoice ``statement`` selects (all of them, not one page), per currency.

    Summed by the database over the statement's own filters, so the totals are
    those of exactly the set the list shows and the export writes. The subquery selects only the
    summed columns: one of every invoice column cost more to build than the database took to sum.
    So ``statement`` is a plain select of invoices, as a list's is: with DISTINCT or GROUP BY, fewer
    columns would make other rows.
    """
    listed = statement.with_only_columns(*SUMMED).order_by(None).subquery()
    live = listed.c.cancelled.is_(False)
    owed = case((and_(live, listed.c.paid_amount < listed.c.total_amount),
                 listed.c.total_amount - listed.c.paid_amount), else_=ZERO)
    rows = session.execute(
        select(listed.c.currency, func.count(),
               func.coalesce(func.sum(case((live, listed.c.total_amount), else_=ZERO)), ZERO),
               func.coalesce(func.sum(case((live, listed.c.paid_amount), else_=ZERO)), ZERO),
               func.coalesce(func.sum(owed), ZERO))
        .group_by(listed.c.currency).order_by(listed.c.currency)
    )
    return [CurrencyTotals(currency, count, _money(total), _money(paid), _money(remainder))
            for currency, count, total, paid, remainder in rows]


def _money(value) -> Decimal:
    return Decimal(value).quantize(CENT)


def period_condition(first: date, last: date):
    """SQL: the invoice bills a period that overlaps ``first``..``last``; one that bills no period
    counts by its issue date."""
    return or_(
        and_(Invoice.period_start.is_not(None), Invoice.period_start <= last,
             func.coalesce(Invoice.period_end, Invoice.period_start) >= first),
        and_(Invoice.period_start.is_(None), Invoice.issue_date.between(first, last)),
    )


def allocations_to(session, invoice: Invoice) -> list[tuple[PaymentAllocation, Payment]]:
    """The payments that paid ``invoice`` and how much of each, oldest first (of its own party only)."""
    return session.execute(
        select(PaymentAllocation, Payment)
        .join(Payment, and_(Payment.id == PaymentAllocation.payment_id, Payment.party_id == PaymentAllocation.party_id))
        .where(PaymentAllocation.invoice_id == invoice.id, PaymentAllocation.party_id == invoice.party_id)
        .order_by(Payment.paid_on, Payment.id)
    ).all()


def line_amounts(quantity: Decimal, unit_price: Decimal, vat_rate: Decimal) -> tuple[Decimal, Decimal, Decimal]:
    """A line's net, VAT and total, each rounded to the cent half up, as invoices are written."""
    net = (Decimal(quantity) * Decimal(unit_price)).quantize(CENT, rounding=ROUND_HALF_UP)
    vat = (net * Decimal(vat_rate) / 100).quantize(CENT, rounding=ROUND_HALF_UP)
    return net, vat, net + vat
