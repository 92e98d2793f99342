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

from portal.db.meta import utcnow
from portal.finance.models import BalanceKind, Invoice, TopUpRequest
from portal.finance.models.advances import AdvanceSchedule
from portal.finance.models.price_lists import PriceList
from portal.finance.services.advances import PlannedPayment, upsert_advance_schedule
from portal.finance.services.price_lists import ItemInput, upsert_price_list
from portal.finance.services.records import LineInput, upsert_balance, upsert_invoice, upsert_payment
from portal.finance.services.top_up import DEFAULT_TYPE as DEFAULT_TOP_UP_TYPE
from portal.finance.services.top_up import TYPE_SETTING as TOP_UP_TYPE_SETTING
from portal.finance.services.top_up import settle
from portal.formats import format_money
from portal.identity.models import User
from portal.parties.models import Contract, Party
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.workflow import REQUEST
from portal.workflows.engine import TransitionContext

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
    load_advances_demo(db, parties, today)
    load_top_up_demo(db, settings, parties, today)
    load_price_lists_demo(db, parties, today)


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



# The top-up request type, routed as the general questions are (to the back office).
TOP_UP_NAMES = {"en": "Top-up invoice", "ru": "Счёт на пополнение аванса"}
# party external id, requester's login, amount, comment, issued already?
TOP_UPS = [
    ("DEMO-SEVER-ENERGO", "energo", D("50000.00"), "Аванс за отопительный сезон", False),
    ("DEMO-SEVER-TRANS", "trans", D("120000.00"), "Prepayment for the December trips", True),
]


def load_top_up_demo(db, settings, parties, today: date) -> None:
    """The top-up request type, and a request waiting for its invoice and one answered by one."""
    code = settings.get(TOP_UP_TYPE_SETTING, DEFAULT_TOP_UP_TYPE)
    request_type = db.scalars(select(RequestType).where(RequestType.code == code)).first()
    if request_type is None:
        general = db.scalars(select(RequestType).where(RequestType.code == "general")).first()
        request_type = RequestType(code=code, names=TOP_UP_NAMES, group_id=general.group_id if general else None,
                                   default_priority="normal", due_hours=48)
        db.add(request_type)
        db.flush()
    users = {u.login: u for u in db.scalars(select(User).where(User.login.in_([t[1] for t in TOP_UPS])))}
    for external_id, login, amount, comment, issued in TOP_UPS:
        party, author = parties.get(external_id), users.get(login)
        if party is None or author is None or db.scalars(
                select(TopUpRequest.id).where(TopUpRequest.party_id == party.id)).first() is not None:
            continue
        language = PARTIES[external_id][0]
        shown = format_money(amount, "RUB", language)
        item = CustomerRequest(party_id=party.id, author_id=author.id, type_id=request_type.id,
                               subject=TOP_UP_SUBJECT[language].format(amount=shown), body=comment,
                               priority=request_type.default_priority, group_id=request_type.group_id,
                               due_at=utcnow() + timedelta(hours=request_type.due_hours))
        REQUEST.start(item, TransitionContext(session=db, actor_id=author.id))
        db.add(TopUpRequest(request_id=item.id, party_id=party.id, amount=amount, currency="RUB"))
        db.flush()
        if issued:
            invoice = upsert_invoice(
                db, external_id=f"{external_id}/INV/top-up", party_id=party.id,
                number=f"{PARTIES[external_id][1]}{today.year}/A001", issue_date=today,
                due_date=today + timedelta(days=5),
                lines=[LineInput(PREPAYMENT[language], quantity=D(1), unit="—", unit_price=amount, vat_rate=D(0))])
            settle(db, item.id, invoice)


TOP_UP_SUBJECT = {"ru": "Счёт на пополнение аванса на {amount}", "en": "Top-up invoice for {amount}"}


# An advance schedule per party: six monthly advances (days from today they are due, share paid), one
# of each state and then some: two paid, one overdue though paid in part, one planned paid in part, two
# planned. Numbered like the party's invoices: "ГА-СЭ-2026" for Sever Energo, "ADV-ST-2026" for Sever Trans.
ADVANCES = [(-75, D(1)), (-45, D(1)), (-15, D("0.30")), (15, D("0.50")), (45, D(0)), (75, D(0))]
ADVANCE_PREFIX = {"ru": "ГА-", "en": "ADV-"}


def load_advances_demo(db, parties, today: date) -> None:
    """An advance schedule under the contract of every demo party that has it (idempotent)."""
    for external_id, party in sorted(parties.items()):
        language, invoice_prefix, contract_number, _currency = PARTIES[external_id]
        contract = db.scalars(select(Contract).where(Contract.party_id == party.id,
                                                     Contract.number == contract_number)).first()
        if contract is None or db.scalars(select(AdvanceSchedule.id).where(
                AdvanceSchedule.external_id.like(f"{external_id}/ADV/%"))).first() is not None:
            continue
        # Half of what a month's services cost, in round hundreds.
        month = sum((quantity * price * (100 + rate) / 100 for _d, _u, quantity, price, rate in SERVICES[external_id]),
                    D(0))
        amount = (month / 200).quantize(D(1)) * 100
        payments = []
        for days, share in ADVANCES:
            due = today + timedelta(days=days)
            paid = (amount * share).quantize(D("0.01"))
            payments.append(PlannedPayment(due, amount, paid, due - timedelta(days=2) if paid else None))
        first, last = payments[0].due_date, payments[-1].due_date
        code = invoice_prefix.split("-", 1)[1]
        upsert_advance_schedule(
            db, external_id=f"{external_id}/ADV/1", party_id=party.id, contract_id=contract.id,
            number=f"{ADVANCE_PREFIX[language]}{code}{first.year}", issue_date=first - timedelta(days=10),
            period_start=first.replace(day=1), period_end=_month_end(last), payments=payments)


def _month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


# Price lists (external id, name, days from today it starts and ends (None: open), for whom, items):
# the current general one, the one it replaced (archived), and one meant for Sever Energo alone.
GENERAL_ITEMS = [
    ("ВЫЕЗД-01", "Выезд специалиста на объект", "выезд", D("3500.00")),
    ("ПОВ-01", "Поверка прибора учёта электроэнергии", "шт", D("2800.00")),
    ("ОПЛ-01", "Опломбирование прибора учёта", "шт", D("950.00")),
    ("ЗАМ-01", "Замена прибора учёта (без стоимости прибора)", "шт", D("4200.00")),
    ("КОНС-01", "Консультация по договору энергоснабжения", "ч", D("1800.00")),
    ("ДОК-01", "Выдача копий документов", "лист", D("45.00")),
]
ENERGO_ITEMS = [
    ("ТП-15", "Технологическое присоединение до 15 кВт", "присоед.", D("5000.00")),
    ("ОП-01", "Оперативное переключение в распределительной сети", "операция", D("6400.00")),
    ("ОТК-01", "Отключение и повторное подключение энергопринимающих устройств", "операция", D("2125.5000")),
    ("СП-01", "Снятие показаний приборов учёта по заявке", "выезд", D("890.00")),
]
PRICE_LISTS = [
    ("DEMO/PRICE/general-2", "Прейскурант на дополнительные услуги", -60, None, None, GENERAL_ITEMS, D(1)),
    ("DEMO/PRICE/general-1", "Прейскурант на дополнительные услуги (прежняя редакция)", -425, -61, None,
     GENERAL_ITEMS[:-1], D("0.9")),
    ("DEMO/PRICE/energo", "Тарифы на сетевые услуги для «Север Энерго»", -30, 335, "DEMO-SEVER-ENERGO",
     ENERGO_ITEMS, D(1)),
]


def load_price_lists_demo(db, parties, today: date) -> None:
    """The demo's price lists (a list already there is left as it is)."""
    for external_id, name, starts, ends, only_for, items, scale in PRICE_LISTS:
        if db.scalars(select(PriceList.id).where(PriceList.external_id == external_id)).first() is not None:
            continue
        if only_for is not None and only_for not in parties:
            continue
        upsert_price_list(
            db, external_id=external_id, name=name, valid_from=today + timedelta(days=starts),
            valid_to=None if ends is None else today + timedelta(days=ends),
            items=[ItemInput(code, service, unit, (price * scale).quantize(price), D(20))
                   for code, service, unit, price in items],
            parties=None if only_for is None else [parties[only_for]])
