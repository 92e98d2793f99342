"""Two parties' books: ``party`` (a customer's own, in several states and currencies) and ``other``
(whose every record must stay invisible to ``party``'s users)."""
from datetime import date, timedelta

import pytest

from tests.factories import ContractFactory, PartyFactory, customer, staff
from tests.factories import finance as books_factory
from tests.factories.finance import line


@pytest.fixture
def today():
    return date.today()


@pytest.fixture
def books(dbsession, today):
    party = PartyFactory(name="Счётная Энергия", tax_id="7701999001")
    other = PartyFactory(name="Foreign Ledger Ltd", tax_id="7701999002")
    main, spare = ContractFactory(party=party, number="K-2026/1"), ContractFactory(party=party, number="K-2026/2")
    f = books_factory
    month_ago = today - timedelta(days=30)
    inv = {
        "paid": f.invoice(dbsession, party, number="СЧ-0001", issued=today - timedelta(days=90), contract=main,
                          lines=[line("Электроэнергия", "1000", "кВт·ч", "6.50", "20")]),  # 7 800.00
        "partial": f.invoice(dbsession, party, number="СЧ-0002", issued=today - timedelta(days=5), due_in=20,
                             contract=main, lines=[line("Передача электроэнергии", "1000", "кВт·ч", "2.00", "20")]),
        "overdue": f.invoice(dbsession, party, number="СЧ-0003", issued=month_ago, due_in=10, contract=spare,
                             lines=[line("Пени", "10", "дн", "100.00", "0")]),  # 1 000.00
        "open": f.invoice(dbsession, party, number="СЧ-0004", issued=today - timedelta(days=1), due_in=30,
                          contract=main, lines=[line("Электроэнергия", "100", "кВт·ч", "6.50", "20")]),  # 780.00
        "cancelled": f.invoice(dbsession, party, number="СЧ-0005", issued=month_ago, contract=main, cancelled=True,
                               lines=[line("Ошибка", "1", "шт", "999.00", "20")]),
        "euro": f.invoice(dbsession, party, number="EU-0006", issued=today - timedelta(days=2), due_in=30,
                          currency="EUR", lines=[line("Consulting", "2", "h", "150.00", "0")]),  # 300.00
    }
    pays = {
        "paid": f.payment(dbsession, party, amount="7800.00", paid_on=today - timedelta(days=80),
                          allocations={inv["paid"]: "7800.00"}, purpose="Оплата по счёту СЧ-0001", number="501"),
        "partial": f.payment(dbsession, party, amount="1000.00", paid_on=today - timedelta(days=3),
                             allocations={inv["partial"]: "960.00"}, purpose="Частичная оплата СЧ-0002",
                             number="502"),
    }
    foreign = f.invoice(dbsession, other, number="FOREIGN-0099", issued=today - timedelta(days=10),
                        lines=[line("Secret foreign service", "3", "h", "777.00", "20")])
    foreign_payment = f.payment(dbsession, other, amount="500.00", paid_on=today - timedelta(days=4),
                                allocations={foreign: "500.00"}, purpose="Foreign payment purpose", number="90901")
    dbsession.flush()
    return {
        "party": party, "other": other, "contracts": (main, spare), "invoices": inv, "payments": pays,
        "foreign": foreign, "foreign_payment": foreign_payment,
        "user": customer(party, last_name="Петров", first_name="Сергей", language="en"),
        "outsider": customer(other), "head": staff("head"),
    }



@pytest.fixture
def advances(dbsession, books, today):
    """Advance schedules of ``books``' party in every state (and one in euros), and one of the other party's."""
    f = books_factory
    party, other = books["party"], books["other"]
    main, spare = books["contracts"]
    days = timedelta
    schedules = {
        # paid; overdue though paid in part; due today (planned); planned: the schedule is overdue.
        "overdue": f.advance_schedule(dbsession, party, main, number="ГА-0001", issued=today - days(50),
                                        period=(today - days(45), today + days(25)), payments=[
            (today - days(40), "5000.00", "5000.00", today - days(42)), (today - days(10), "5000.00", "2000.00"),
            (today, "5000.00"), (today + days(20), "5000.00")]),
        # paid, and paid beyond its amount: nothing left, never less than nothing.
        "paid": f.advance_schedule(dbsession, party, spare, number="ГА-0002", issued=today - days(70),
                                     period=(today - days(65), today - days(25)), payments=[
            (today - days(60), "3000.00", "3000.00"), (today - days(30), "3000.00", "3500.00")]),
        # planned, the first paid in part before it is due.
        "planned": f.advance_schedule(dbsession, party, main, number="ГА-0003", issued=today - days(3),
                                        period=(today, today + days(40)), payments=[
            (today + days(5), "1200.00", "600.00"), (today + days(35), "1200.00")]),
        "euro": f.advance_schedule(dbsession, party, main, number="EU-A-0004", issued=today - days(2), currency="EUR",
                                   period=(today + days(5), today + days(15)),
                                   payments=[(today + days(10), "250.50")]),
    }
    foreign_contract = ContractFactory(party=other, number="FOREIGN-K-99")
    foreign = f.advance_schedule(dbsession, other, foreign_contract, number="FOREIGN-ADV-0099", issued=today - days(5),
                                 payments=[(today - days(1), "9999.00")])
    dbsession.flush()
    return {"schedules": schedules, "foreign": foreign, "foreign_contract": foreign_contract}
