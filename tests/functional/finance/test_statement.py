"""The settlement statement: its balances and lines, its PDF and XLSX, bad dates, and that the closing
balance of one period is the opening balance of the next however the periods are cut."""
import io
import random
from datetime import date, timedelta
from decimal import Decimal

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal.finance.services.statement import settlement_statement
from tests.conftest import login
from tests.factories import PartyFactory, customer
from tests.factories import finance as f
from tests.factories.finance import line
from tests.pdf_text import pdf_text

START, END = date(2025, 1, 1), date(2025, 12, 31)


@pytest.fixture
def ledger(dbsession):
    """A year of a party's invoices and payments (two currencies, same-day documents, a cancelled
    invoice, payments not allocated), and another party's, which no statement of the first may show."""
    party = PartyFactory(name="Сверка и Партнёры")
    other = PartyFactory(name="Other Books Ltd")
    rng = random.Random(2025)
    invoices = []
    for n in range(24):
        issued = date(2024, 11, 1) + timedelta(days=rng.randrange(0, 420))
        invoices.append(f.invoice(
            dbsession, party, number=f"SV-{n:03d}", issued=issued, currency="EUR" if n % 7 == 3 else "RUB",
            cancelled=n == 5, lines=[line("Service", str(rng.randint(1, 40)), "h", f"{rng.randint(100, 9999)}.{rng.randint(0, 99):02d}", "20")]))
    for n in range(18):
        f.payment(dbsession, party, amount=f"{rng.randint(500, 60000)}.{rng.randint(0, 99):02d}",
                  paid_on=date(2024, 12, 1) + timedelta(days=rng.randrange(0, 400)), number=f"{800 + n}",
                  purpose=f"Payment {n}", currency="EUR" if n % 6 == 2 else "RUB")
    same_day = date(2025, 6, 15)
    f.invoice(dbsession, party, number="SV-SAME", issued=same_day, lines=[line("Same day", "1", "pc", "100.00", "0")])
    f.payment(dbsession, party, amount="40.00", paid_on=same_day, number="SAME", purpose="Same day payment")
    f.invoice(dbsession, other, number="ALIEN-777", issued=date(2025, 3, 3), lines=[line("Alien", "1", "pc", "5.00", "0")])
    f.payment(dbsession, other, amount="3.00", paid_on=date(2025, 3, 4), number="ALIEN-PAY", purpose="Alien payment")
    dbsession.flush()
    return {"party": party, "other": other, "user": customer(party), "outsider": customer(other)}


def balances(statement, which):
    return {currency: value for currency, value in getattr(statement, which)().items()}


def test_opening_lines_and_closing_add_up(dbsession, ledger):
    party = ledger["party"]
    statement = settlement_statement(dbsession, party.id, START, END)
    assert [s.currency for s in statement.sections] == ["EUR", "RUB"]
    for section in statement.sections:
        balance = section.opening
        for line_ in section.lines:
            assert START <= line_.on <= END and (line_.debit == 0) != (line_.credit == 0)
            balance += line_.debit - line_.credit
            assert line_.balance == balance
        assert section.closing == section.opening + section.debit - section.credit == balance
        assert all(isinstance(v, Decimal) for v in (section.opening, section.closing, section.debit))
    days = [line_.on for s in statement.sections for line_ in s.lines]
    rub = statement.sections[1]
    assert [line_.on for line_ in rub.lines] == sorted(line_.on for line_ in rub.lines)
    same = [line_ for line_ in rub.lines if line_.on == date(2025, 6, 15)]
    assert [line_.number for line_ in same][-2:] == ["SV-SAME", "SAME"]  # the invoice before the payment
    assert "SV-005" not in {line_.number for line_ in rub.lines}  # cancelled: not a debt
    assert days and "ALIEN-777" not in {line_.number for s in statement.sections for line_ in s.lines}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cuts=st.lists(st.integers(min_value=0, max_value=(END - START).days - 1), min_size=1, max_size=3, unique=True))
def test_the_closing_balance_of_a_period_is_the_opening_balance_of_the_next(dbsession, ledger, cuts):
    """However the year is cut into periods, each one opens where the one before closed, their lines
    together are the year's, and the last closes where the year closes."""
    party = ledger["party"]
    whole = settlement_statement(dbsession, party.id, START, END)
    bounds = [START] + [START + timedelta(days=c + 1) for c in sorted(cuts)]
    periods = [(a, b - timedelta(days=1)) for a, b in zip(bounds, bounds[1:])] + [(bounds[-1], END)]
    previous, lines = balances(whole, "opening"), {}
    for start, end in periods:
        part = settlement_statement(dbsession, party.id, start, end)
        opening = balances(part, "opening")
        for currency in set(previous) | set(opening):
            assert opening.get(currency, Decimal(0)) == previous.get(currency, Decimal(0)), (start, currency)
        previous = balances(part, "closing")
        for section in part.sections:
            lines.setdefault(section.currency, []).extend((ln.kind, ln.id, ln.balance) for ln in section.lines)
    assert previous == balances(whole, "closing")
    assert lines == {s.currency: [(ln.kind, ln.id, ln.balance) for ln in s.lines] for s in whole.sections if s.lines}


def test_the_statement_page_over_http_continues_from_one_period_to_the_next(testapp, ledger):
    login(testapp, ledger["user"].login)
    party = ledger["party"].id

    def balances_on(start, end):
        page = testapp.get(f"/p/{party}/statement", params={"from": start, "to": end})
        rub = page.html.select_one("section.statement-RUB")
        return rub.select_one("tr.opening td.num").text, rub.select_one("tr.closing strong").text, page

    _opening, first_close, page = balances_on("2025-01-01", "2025-06-14")
    second_open, _closing, _page = balances_on("2025-06-15", "2025-12-31")
    assert first_close == second_open
    assert "ALIEN" not in page.text and "Other Books" not in page.text
    links = {a.text: a["href"] for a in page.html.select("p.export a")}
    assert links["Download PDF"].endswith("statement?from=2025-01-01&to=2025-06-14&format=pdf")


def test_the_statement_as_pdf_and_xlsx(testapp, dbsession, ledger):
    login(testapp, ledger["user"].login)
    party = ledger["party"]
    statement = settlement_statement(dbsession, party.id, START, END)
    rub = statement.sections[1]
    pdf = testapp.get(f"/p/{party.id}/statement", params={"from": "2025-01-01", "to": "2025-12-31", "format": "pdf"})
    assert pdf.content_type == "application/pdf"
    text = " ".join(pdf_text(pdf.body).split())
    assert "Settlement statement from Jan 1, 2025 to Dec 31, 2025" in text and "Сверка и Партнёры" in text
    assert "Invoice № SV-SAME" in text and "Payment № SAME: Same day payment" in text
    closing = f"RUB{rub.closing:,.2f}" if rub.closing >= 0 else f"-RUB{-rub.closing:,.2f}"
    assert closing in text and "ALIEN" not in text
    sheet = openpyxl.load_workbook(io.BytesIO(testapp.get(
        f"/p/{party.id}/statement", params={"from": "2025-01-01", "to": "2025-12-31", "format": "xlsx"}).body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Currency", "Date", "Document", "Debit", "Credit", "Balance")
    rub_rows = [r for r in rows[1:] if r[0] == "RUB"]
    assert rub_rows[0][2] == "Opening balance" and rub_rows[0][5] == pytest.approx(float(rub.opening))
    assert rub_rows[-1][2] == "Closing balance" and rub_rows[-1][5] == pytest.approx(float(rub.closing))
    assert len(rub_rows) == len(rub.lines) + 2 and "ALIEN" not in str(rows)


@pytest.mark.parametrize("params, message", [
    ({"from": "2025-02-31"}, "“2025-02-31” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31."),
    ({"to": "31.12.2025"}, "“31.12.2025” is not a date"),
    ({"from": "2025-06-01", "to": "2025-05-31"}, "The end of the period must not be before its start."),
    ({"from": "0001-01-01"}, "Choose a date between the years 1900 and 2999."),
    ({"format": "docx"}, "is not one of html, pdf, xlsx"),
    ({"from": "2025-01-01", "format": "pdf", "to": "nonsense"}, "“nonsense” is not a date"),
])
def test_bad_dates_get_a_clear_message_not_an_error(testapp, ledger, params, message):
    login(testapp, ledger["user"].login)
    page = testapp.get(f"/p/{ledger['party'].id}/statement", params=params, status=400)
    assert page.content_type == "text/html"
    assert message in page.html.select_one("div.alert").text
    assert page.html.select_one("form.search input[name=from]") is not None


def test_the_default_period_is_this_year_to_date(testapp, ledger):
    login(testapp, ledger["user"].login)
    page = testapp.get(f"/p/{ledger['party'].id}/statement")
    today = date.today()
    assert page.html.select_one("input[name=from]")["value"] == date(today.year, 1, 1).isoformat()
    assert page.html.select_one("input[name=to]")["value"] == today.isoformat()
    only_end = testapp.get(f"/p/{ledger['party'].id}/statement", params={"to": "2025-03-31"})
    assert only_end.html.select_one("input[name=from]")["value"] == "2025-01-01"


def test_another_partys_statement_is_not_found(testapp, ledger):
    login(testapp, ledger["outsider"].login)
    for fmt in ("html", "pdf", "xlsx"):
        testapp.get(f"/p/{ledger['party'].id}/statement", params={"format": fmt}, status=404)
