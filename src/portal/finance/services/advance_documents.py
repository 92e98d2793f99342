"""What a printed advance schedule shows, read out of the database into plain values (as an invoice's
PDF is made from ``services.documents``: the print template needs no session)."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from portal.finance.models.advances import AdvanceSchedule, AdvanceState
from portal.finance.services.documents import UNSAFE_IN_NAME


@dataclass(frozen=True)
class PrintedAdvance:
    position: int
    due_date: date
    amount: Decimal
    paid: Decimal
    paid_on: date | None
    remainder: Decimal
    state: AdvanceState


@dataclass(frozen=True)
class AdvanceScheduleDocument:
    """An advance schedule as its PDF prints it: the supplier comes from the letterhead, the rest from here."""

    id: int
    number: str
    issue_date: date
    period_start: date
    period_end: date
    currency: str
    planned: Decimal
    paid: Decimal
    remainder: Decimal
    state: AdvanceState
    buyer_name: str
    buyer_tax_id: str
    buyer_address: str
    contract_number: str
    payments: tuple[PrintedAdvance, ...]
    stored_pdf: str | None  # the SHA-256 of the accounting system's own PDF, when it sent one

    @property
    def file_stem(self) -> str:
        """The schedule's number as part of a file name (no path separators or control characters)."""
        return UNSAFE_IN_NAME.sub("-", self.number).strip(" .-") or str(self.id)

    @property
    def next_due(self) -> PrintedAdvance | None:
        """The first payment not yet paid in full (what the reader is asked to pay next)."""
        return next((p for p in self.payments if p.state != AdvanceState.paid), None)


def schedule_document(schedule: AdvanceSchedule, today: date) -> AdvanceScheduleDocument:
    """``schedule`` (its party, contract and payments loaded) as plain values, its states those of ``today``."""
    party = schedule.party
    return AdvanceScheduleDocument(
        id=schedule.id, number=schedule.number, issue_date=schedule.issue_date,
        period_start=schedule.period_start, period_end=schedule.period_end, currency=schedule.currency,
        planned=schedule.planned_amount, paid=schedule.paid_amount, remainder=schedule.remainder,
        state=schedule.state_on(today), buyer_name=party.name, buyer_tax_id=party.tax_id or "",
        buyer_address=party.billing_address or party.address or "", contract_number=schedule.contract.number,
        payments=tuple(PrintedAdvance(p.position, p.due_date, p.amount, p.paid_amount, p.paid_on, p.remainder,
                                      p.state_on(today)) for p in schedule.payments),
        stored_pdf=schedule.pdf_sha256,
    )
