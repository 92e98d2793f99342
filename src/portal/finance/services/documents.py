"""What a printed invoice shows, read out of the database into plain values.

A PDF is made after its values are read: the ZIP of many invoices renders
them while the response streams, when the request's transaction is over, so
nothing it prints may still need the database. ``invoice_document`` takes all
of it at once; ``invoices_for_print`` loads invoices with everything they print.
"""
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.finance.models import Invoice, InvoiceState

UNSAFE_IN_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class PrintedLine:
    position: int
    description: str
    quantity: Decimal
    unit: str
    unit_price: Decimal
    vat_rate: Decimal
    net: Decimal
    vat: Decimal
    total: Decimal


@dataclass(frozen=True)
class InvoiceDocument:
    """An invoice as its PDF prints it: the seller comes from the letterhead, the rest from here."""

    id: int
    number: str
    issue_date: date
    due_date: date
    period_start: date | None
    period_end: date | None
    currency: str
    net: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    remainder: Decimal
    paid_percent: Decimal
    state: InvoiceState
    buyer_name: str
    buyer_tax_id: str
    buyer_address: str
    contract_number: str
    lines: tuple[PrintedLine, ...]
    stored_pdf: str | None  # the SHA-256 of the accounting system's own PDF, when it sent one

    @property
    def file_stem(self) -> str:
        """The invoice number as part of a file name (no path separators or control characters)."""
        return UNSAFE_IN_NAME.sub("-", self.number).strip(" .-") or str(self.id)


def invoice_document(invoice: Invoice, today: date) -> InvoiceDocument:
    """``invoice`` (its party, contract and lines loaded) as plain values."""
    party = invoice.party
    return InvoiceDocument(
        id=invoice.id, number=invoice.number, issue_date=invoice.issue_date, due_date=invoice.due_date,
        period_start=invoice.period_start, period_end=invoice.period_end, currency=invoice.currency,
        net=invoice.net_amount, vat=invoice.vat_amount, total=invoice.total_amount, paid=invoice.paid_amount,
        remainder=invoice.remainder, paid_percent=invoice.paid_percent, state=invoice.state_on(today),
        buyer_name=party.name, buyer_tax_id=party.tax_id or "",
        buyer_address=party.billing_address or party.address or "",
        contract_number=invoice.contract.number if invoice.contract is not None else "",
        lines=tuple(PrintedLine(line.position, line.description, line.quantity, line.unit, line.unit_price,
                                line.vat_rate, line.net_amount, line.vat_amount, line.total_amount)
                    for line in invoice.lines),
        stored_pdf=invoice.pdf_sha256,
    )


def invoices_for_print(session, party_id: int, ids) -> list[Invoice]:
    """The party's invoices among ``ids``, with all they print loaded, in the order of ``ids``."""
    found = session.scalars(
        select(Invoice).where(Invoice.party_id == party_id, Invoice.id.in_(list(ids)))
        .options(joinedload(Invoice.party), joinedload(Invoice.contract), selectinload(Invoice.lines))
    ).all()
    by_id = {invoice.id: invoice for invoice in found}
    return [by_id[i] for i in ids if i in by_id]
