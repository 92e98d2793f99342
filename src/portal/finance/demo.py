"""The finance demo: invoices in every state for every demo party, payments that paid them, balances.

``portal-demo`` calls ``load_demo(db, settings)`` when finance is switched on. Dates are counted
from the day of the first run (an open invoice of today is overdue in a month, as in life); a
record is found by its accounting id before it is written, so a second run adds nothing. Like the
rest of the demo, the records read in their readers' language: Sever Holding's and Sever Energo's
in Russian, the others' in English.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.finance.models import BalanceKind, Invoice
from portal.finance.services.records import LineInput, upsert_balance, upsert_invoice, upsert_payment
from portal.parties.models import Contract, Party

D = Decimal

# party external id -> language, invoice number prefix, contract, currency of its extra invoice (or None)
PARTIES = {
    "DEMO-SEVER": ("ru", "СЧ-СХ-", "H-2024/01", None),
    "DEMO-SEVER-ENERGO": ("ru", "СЧ-СЭ-", "E-2024/117", None),
    "DEMO-SEVER-TRANS": ("en", "INV-ST-", "T-2025/009", None),
    "DEMO-VOSTOK": ("en", "INV-VL-", "L-2023/310", "USD"),
    "DEMO-YUG": ("en", "INV-YV-", "W-2022/077", None),
}

# What each party is billed for: (description, unit, quantity, price, VAT rate) per line.
SERVICES = {
    "DEMO-SEVER": [("Услуги по управлению имуществом", "мес", D(1), D("185000.00"), D(20)),
                   ("Консультационные услуги по энергоаудиту", "ч", D(12), D("4500.00"), D(20))],
    "DEMO-SEVER-ENERGO": [("Электроэнергия, одноставочный тариф", "кВт·ч", D("12500.000"), D("6.4521"), D(20)),
                          ("Услуги по передаче электроэнергии", "кВт·ч", D("12500.000"), D("1.8730"), D(20))],
    "DEMO-SEVER-TRANS": [("Freight forwarding Yaroslavl – Moscow", "trip", D(4), D("38500.00"), D(20)),
                         ("Demurrage of wagon 52345678", "day", D(3), D("2900.00"), D(20))],
    "DEMO-VOSTOK": [("Container handling, 40 ft", "TEU", D(16), D("7400.00"), D(20)),
                    ("Storage at the port warehouse", "pallet·day", D(240), D("95.50"), D(20))],
    "DEMO-YUG": [("Water supply", "m³", D("820.000"), D("48.3100"), D(10)),
                 ("Wastewater disposal", "m³", D("790.000"), D("39.8700"), D(10))],
}
PENALTY = {"ru": ("Пени за просрочку оплаты", "дн"), "en": ("Late payment penalty", "day")}
PURPOSE = {"ru": "Оплата по счёту № {number}", "en": "Payment for invoice {number}"}
PREPAYMENT = {"ru": "Аванс за следующий месяц", "en": "Advance payment for next month"}

# Each party's invoices: (key, days before today issued, days to pay, share paid, cancelled, lines scale).
# The states they are in today: two paid, one partially paid, one overdue, one open, one cancelled.
PLAN = [
    ("paid-1", 95, 15, D(1), False, D("1.00")),
    ("paid-2", 64, 15, D(1), False, D("0.90")),
    ("overdue", 40, 15, D(0), False, D("1.10")),
    ("partial", 12, 25, D("0.40"), False, D("1.05")),
    ("open", 3, 27, D(0), False, D("0.95")),
    ("cancelled", 70, 15, D(0), True, D("0.50")),
]


def _month_of(day: date) -> tuple[date, date]:
    """The month before the one ``day`` is in (what an invoice issued that day bills)."""
    last = day.replace(day=1) - timedelta(days=1)
    return last.replace(day=1), last


def load_demo(db, settings) -> None:
    """Invoices, payments and balances for every demo party that exists (idempotent)."""
    parties = {p.external_id: p for p in db.scalars(select(Party).where(Party.external_id.in_(list(PARTIES))))}
    today = date.today()
    for external_id, party in sorted(parties.items()):
        if db.scalars(select(Invoice.id).where(Invoice.party_id == party.id, Invoice.external_id.like(
                f"{external_id}/INV/%"))).first() is not None:
            continue
        _load_party(db, party, today)


def _load_party(db, party, today: date) -> None:
    external_id = party.external_id
    language, prefix, contract_number, extra_currency = PARTIES[external_id]
    contract = db.scalars(select(Contract).where(Contract.party_id == party.id,
                                                 Contract.number == contract_number)).first()
    invoices = []
    for n, (key, age, days_to_pay, share, cancelled, scale) in enumerate(PLAN, start=1):
        issued = today - timedelta(days=age)
        period_start, period_end = _month_of(issued)
        lines = [LineInput(description, quantity=(quantity * scale).quantize(quantity), unit=unit, unit_price=price,
                           vat_rate=rate) for description, unit, quantity, price, rate in SERVICES[external_id]]
        if key == "overdue":
            text, unit = PENALTY[language]
            lines.append(LineInput(text, quantity=D(9), unit=unit, unit_price=D("350.00"), vat_rate=D(0)))
        invoice = upsert_invoice(
            db, external_id=f"{external_id}/INV/{key}", party_id=party.id,
            number=f"{prefix}{issued.year}/{n:04d}", issue_date=issued, due_date=issued + timedelta(days=days_to_pay),
            period_start=period_start, period_end=period_end, lines=lines,
            contract_id=contract.id if contract else None, cancelled=cancelled)
        invoices.append((key, invoice, share))
    if extra_currency:
        issued = today - timedelta(days=8)
        invoice = upsert_invoice(
            db, external_id=f"{external_id}/INV/{extra_currency.lower()}", party_id=party.id,
            number=f"{prefix}{issued.year}/{len(PLAN) + 1:04d}", issue_date=issued,
            due_date=issued + timedelta(days=30), currency=extra_currency,
            lines=[LineInput("Reefer container monitoring", quantity=D(14), unit="day", unit_price=D("42.00"),
                             vat_rate=D(0))],
            contract_id=contract.id if contract else None)
        invoices.append((extra_currency, invoice, D(0)))
    for n, (key, invoice, share) in enumerate(invoices, start=101):
        if not share:
            continue
        amount = (invoice.total_amount * share).quantize(D("0.01"))
        invoice.paid_amount = amount
        upsert_payment(
            db, external_id=f"{external_id}/PAY/{key}", party_id=party.id,
            paid_on=min(invoice.issue_date + timedelta(days=7), today), amount=amount, currency=invoice.currency,
            number=str(n), purpose=PURPOSE[language].format(number=invoice.number),
            allocations={invoice.id: amount})
    # A prepayment nothing is allocated to yet: it lowers the balance, not an invoice.
    upsert_payment(db, external_id=f"{external_id}/PAY/advance", party_id=party.id,
                   paid_on=today - timedelta(days=2), amount=D("25000.00"), purpose=PREPAYMENT[language],
                   number="777")
    owed = sum((invoice.remainder for _key, invoice, _share in invoices if invoice.currency == "RUB"), D(0))
    penalties = D("3150.00")
    for as_of, drift in ((today - timedelta(days=31), D("0.8")), (today - timedelta(days=1), D(1))):
        services = (owed * drift).quantize(D("0.01"))
        upsert_balance(db, party_id=party.id, kind=BalanceKind.operational, as_of=as_of,
                       amount=services + penalties - D("25000.00"), services=services, penalties=penalties,
                       prepayments=D("25000.00"), external_id=f"{external_id}/BAL/op/{as_of.isoformat()}")
        upsert_balance(db, party_id=party.id, kind=BalanceKind.accounting, as_of=as_of,
                       amount=services - D("25000.00"), external_id=f"{external_id}/BAL/acc/{as_of.isoformat()}")
    db.flush()

