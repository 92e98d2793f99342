"""Invoices, payments and balances for the tests, written through the finance records service (the
one the demo and the imports use), so their amounts add up as the accounting system's do."""
import itertools
from datetime import date, timedelta
from decimal import Decimal

from portal.finance.models import BalanceKind
from portal.finance.services.advances import PlannedPayment, upsert_advance_schedule
from portal.finance.services.price_lists import ItemInput, upsert_price_list
from portal.finance.services.records import LineInput, upsert_balance, upsert_invoice, upsert_payment

_numbers = itertools.count(1)


def line(description="Electricity", quantity="100", unit="kWh", price="5.00", vat="20"):
    return LineInput(description, Decimal(quantity), unit, Decimal(price), Decimal(vat))


def invoice(session, party, *, number=None, issued=date(2026, 3, 1), due_in=14, lines=None, paid="0",
            currency="RUB", contract=None, period=None, cancelled=False, pdf_sha256=None):
    """An invoice of ``party``; ``period`` is (first, last) day, by default the month before ``issued``."""
    n = next(_numbers)
    if period is None:
        last = issued.replace(day=1) - timedelta(days=1)
        period = (last.replace(day=1), last)
    return upsert_invoice(
        session, external_id=f"TEST-INV-{n:05d}", party_id=party.id, number=number or f"T-{n:05d}",
        issue_date=issued, due_date=issued + timedelta(days=due_in), lines=lines or [line()],
        currency=currency, contract_id=contract.id if contract else None, period_start=period[0],
        period_end=period[1], paid_amount=Decimal(paid), cancelled=cancelled, pdf_sha256=pdf_sha256)


def payment(session, party, *, amount, paid_on=date(2026, 3, 10), allocations=None, purpose="Payment",
            number=None, currency="RUB"):
    """A payment of ``party``; ``allocations`` maps invoices to the amount paid on each (their paid
    amounts go up by it, as the accounting system would report)."""
    n = next(_numbers)
    allocations = {inv: Decimal(value) for inv, value in (allocations or {}).items()}
    for inv, value in allocations.items():
        inv.paid_amount += value
    return upsert_payment(session, external_id=f"TEST-PAY-{n:05d}", party_id=party.id, paid_on=paid_on,
                          amount=Decimal(amount), purpose=purpose, number=number or str(n), currency=currency,
                          allocations={inv.id: value for inv, value in allocations.items()})


def balance(session, party, *, kind=BalanceKind.operational, as_of=date(2026, 3, 31), amount="1000.00", **parts):
    return upsert_balance(session, party_id=party.id, kind=kind, as_of=as_of, amount=Decimal(amount),
                          **{k: Decimal(v) for k, v in parts.items()})


def advance_schedule(session, party, contract, *, payments, number=None, issued=date(2026, 3, 1), period=None,
                     currency="RUB", pdf_sha256=None):
    """An advance schedule of ``party`` under ``contract``; ``payments`` are (due date, amount, paid,
    paid on) tuples, the last two optional; ``period`` by default the months of the first and last due."""
    n = next(_numbers)
    planned = [PlannedPayment(p[0], Decimal(p[1]), Decimal(p[2] if len(p) > 2 else "0"), p[3] if len(p) > 3 else None)
               for p in payments]
    if period is None:
        period = (planned[0].due_date.replace(day=1), planned[-1].due_date)
    return upsert_advance_schedule(
        session, external_id=f"TEST-ADV-{n:05d}", party_id=party.id, contract_id=contract.id,
        number=number or f"A-{n:05d}", issue_date=issued, period_start=period[0], period_end=period[1],
        payments=planned, currency=currency, pdf_sha256=pdf_sha256)


def price_list(session, *, name=None, valid_from=date(2026, 1, 1), valid_to=None, items=(), parties=None,
               groups=None, currency="RUB"):
    """A price list; ``items`` are (code, name, unit, price, VAT rate) tuples; ``parties`` and ``groups``
    choose whom it is meant for (neither: every customer)."""
    n = next(_numbers)
    return upsert_price_list(
        session, external_id=f"TEST-PRICE-{n:05d}", name=name or f"Price list {n:05d}", valid_from=valid_from,
        valid_to=valid_to, currency=currency, parties=parties, groups=groups,
        items=[ItemInput(code, text, unit, Decimal(price), Decimal(vat)) for code, text, unit, price, vat in items])
