"""Writing what the accounting system reports: invoices with their lines, payments with what they paid,
balances — each an idempotent upsert on its ``external_id`` (the demo and the imports write through here).

Amounts are taken as the accounting system gives them; what is checked is what
would make the portal show nonsense: an allocation to another party's invoice
or in another currency, a payment allocated beyond its amount, a line that
does not add up to its totals.
"""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.db.among import IN_LIST, among
from portal.db.bulk import insert_rows
from portal.finance.models import ZERO, Balance, BalanceKind, Invoice, InvoiceLine, Payment, PaymentAllocation
from portal.finance.services.invoices import line_amounts

LOOK_IT_UP = object()  # upsert_invoice's ``found`` when the caller has not looked the invoice up


class RecordRefused(ValueError):
    """A record the portal will not keep, and why."""


@dataclass(frozen=True)
class LineInput:
    """One invoice line as reported; net, VAT and total are worked out when not given."""

    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal | None = None
    vat: Decimal | None = None
    total: Decimal | None = None

    def amounts(self) -> tuple[Decimal, Decimal, Decimal]:
        if self.net is None:
            return line_amounts(self.quantity, self.unit_price, self.vat_rate)
        if self.net + self.vat != self.total:
            raise RecordRefused(f"line {self.description!r}: net and VAT do not add up to the total")
        return self.net, self.vat, self.total


def _by_external_id(session, model, external_id):
    return session.scalars(select(model).where(model.external_id == external_id)).first()


def invoice_columns(*, external_id: str, party_id: int, number: str, issue_date: date, due_date: date,
                    lines: list[LineInput], currency: str = "RUB", contract_id: int | None = None,
                    period_start: date | None = None, period_end: date | None = None,
                    paid_amount: Decimal = ZERO, cancelled: bool = False,
                    pdf_sha256: str | None = None) -> tuple[dict, list[dict]]:
    """The columns of the invoice ``external_id`` as reported now, with its totals worked out, and its
    lines' (numbered from 1); raises RecordRefused. What ``upsert_invoice`` and ``insert_invoices`` write."""
    if due_date < issue_date:
        raise RecordRefused(f"invoice {number}: due before it is issued")
    if paid_amount < 0:
        raise RecordRefused(f"invoice {number}: a negative amount paid")
    amounts = [line.amounts() for line in lines]
    columns = {
        "external_id": external_id, "party_id": party_id, "number": number, "contract_id": contract_id,
        "issue_date": issue_date, "due_date": due_date, "period_start": period_start, "period_end": period_end,
        "currency": currency, "paid_amount": Decimal(paid_amount), "cancelled": cancelled, "pdf_sha256": pdf_sha256,
        "net_amount": sum((net for net, _vat, _total in amounts), ZERO),
        "vat_amount": sum((vat for _net, vat, _total in amounts), ZERO),
        "total_amount": sum((total for _net, _vat, total in amounts), ZERO),
    }
    line_columns = [
        {"position": n, "description": line.description, "quantity": line.quantity, "unit": line.unit,
         "unit_price": line.unit_price, "vat_rate": line.vat_rate, "net_amount": net, "vat_amount": vat,
         "total_amount": total}
        for n, (line, (net, vat, total)) in enumerate(zip(lines, amounts), start=1)
    ]
    return columns, line_columns


def upsert_invoice(session, *, external_id: str, party_id: int, number: str, issue_date: date, due_date: date,
                   lines: list[LineInput], currency: str = "RUB", contract_id: int | None = None,
                   period_start: date | None = None, period_end: date | None = None,
                   paid_amount: Decimal = ZERO, cancelled: bool = False, pdf_sha256: str | None = None,
                   found=LOOK_IT_UP, flush: bool = True) -> Invoice:
    """The invoice ``external_id`` as reported now (made, or brought up to date with its lines replaced).

    ``found``: the invoice as the caller looked it up already (None: not here), so it is not looked up
    again. ``flush=False`` leaves the writing to the caller's next flush, so that a batch writes its
    invoices and their lines in one; only replacing lines flushes (the old ones must go before the new
    ones take their positions)."""
    columns, line_columns = invoice_columns(
        external_id=external_id, party_id=party_id, number=number, issue_date=issue_date, due_date=due_date,
        lines=lines, currency=currency, contract_id=contract_id, period_start=period_start, period_end=period_end,
        paid_amount=paid_amount, cancelled=cancelled, pdf_sha256=pdf_sha256)
    invoice = _by_external_id(session, Invoice, external_id) if found is LOOK_IT_UP else found
    if invoice is None:
        invoice = Invoice(external_id=external_id)
        session.add(invoice)
    elif invoice.party_id != party_id:
        raise RecordRefused(f"invoice {external_id}: it belongs to another party")
    for name, value in columns.items():
        setattr(invoice, name, value)
    if invoice.lines:  # the old lines go first: the new ones take their positions
        invoice.lines.clear()
        session.flush()
    invoice.lines = [InvoiceLine(**line) for line in line_columns]
    if flush:
        session.flush()
    return invoice


def insert_invoices(session, invoices: list[tuple[dict, list[dict]]]) -> dict[str, int]:
    """New invoices, each as ``invoice_columns`` gives it, with their lines: written in a statement for
    the invoices and one for the lines (db/bulk.py), without an ORM object each (a batch brings thousands);
    their ids by external id. The caller has seen that none of them is here (one that is fails the statement)."""
    if not invoices:
        return {}
    insert_rows(session, Invoice.__table__, [columns for columns, _lines in invoices])
    external_ids = [columns["external_id"] for columns, _lines in invoices]
    ids = {}
    for first in range(0, len(external_ids), IN_LIST):
        ids.update(session.execute(select(Invoice.external_id, Invoice.id).where(
            among(session, Invoice.external_id, external_ids[first:first + IN_LIST]))).all())
    lines = [dict(line, invoice_id=ids[columns["external_id"]]) for columns, lines in invoices for line in lines]
    insert_rows(session, InvoiceLine.__table__, lines)
    return ids


def upsert_payment(session, *, external_id: str, party_id: int, paid_on: date, amount: Decimal, purpose: str = "",
                   number: str | None = None, currency: str = "RUB",
                   allocations: dict[int, Decimal] | None = None) -> Payment:
    """The payment ``external_id`` and what it paid (invoice id -> amount), as reported now."""
    allocations = {invoice_id: Decimal(value) for invoice_id, value in (allocations or {}).items()}
    if amount <= 0 or any(value <= 0 for value in allocations.values()):
        raise RecordRefused(f"payment {external_id}: amounts must be positive")
    if sum(allocations.values(), ZERO) > amount:
        raise RecordRefused(f"payment {external_id}: allocated beyond its amount")
    invoices = {i.id: i for i in session.scalars(select(Invoice).where(Invoice.id.in_(list(allocations))))}
    for invoice_id in allocations:
        invoice = invoices.get(invoice_id)
        if invoice is None or invoice.party_id != party_id or invoice.currency != currency:
            raise RecordRefused(f"payment {external_id}: invoice {invoice_id} is not this party's in {currency}")
    payment = _by_external_id(session, Payment, external_id)
    if payment is None:
        payment = Payment(external_id=external_id)
        session.add(payment)
    elif payment.party_id != party_id:
        raise RecordRefused(f"payment {external_id}: it belongs to another party")
    payment.party_id, payment.paid_on, payment.amount = party_id, paid_on, Decimal(amount)
    payment.purpose, payment.number, payment.currency = purpose, number, currency
    if payment.allocations:
        payment.allocations.clear()
        session.flush()
    payment.allocations = [PaymentAllocation(party_id=party_id, invoice_id=invoice_id, amount=value)
                           for invoice_id, value in sorted(allocations.items())]
    session.flush()
    return payment


def upsert_balance(session, *, party_id: int, kind: BalanceKind, as_of: date, amount: Decimal,
                   currency: str = "RUB", services: Decimal | None = None, penalties: Decimal | None = None,
                   prepayments: Decimal | None = None, external_id: str | None = None) -> Balance:
    """The balance of ``kind`` the party had ``as_of`` that day (one per party, kind, currency and day)."""
    kind = BalanceKind(kind)
    balance = session.scalars(select(Balance).where(
        Balance.party_id == party_id, Balance.kind == kind.value, Balance.currency == currency,
        Balance.as_of == as_of)).first()
    if balance is None:
        balance = Balance(party_id=party_id, kind=kind.value, currency=currency, as_of=as_of)
        session.add(balance)
    balance.amount, balance.external_id = Decimal(amount), external_id
    balance.services_amount, balance.penalties_amount, balance.prepayments_amount = services, penalties, prepayments
    session.flush()
    return balance
