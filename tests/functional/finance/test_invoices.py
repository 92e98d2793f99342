"""The invoice list (filters, sort, pages, the totals of the filtered set, the export) and the invoice page."""
import io
import re
from datetime import timedelta
from decimal import Decimal

import openpyxl

from tests.conftest import login, statements
from tests.factories import MembershipFactory, UserFactory
from tests.factories import finance as f
from tests.factories.finance import line


def rows_of(page):
    """The invoice numbers the list shows, in order."""
    return [a.text for a in page.html.select("form#invoices-zip tbody tr td:nth-of-type(2) a")]


def totals_of(page) -> dict:
    """currency -> (count, total, paid, remainder) as the totals table shows them."""
    found = {}
    for row in page.html.select("table.totals-table tbody tr"):
        cells = [td.text.strip() for td in row.find_all("td")]
        found[cells[0]] = tuple(cells[1:])
    return found


def facts_of(page) -> dict:
    """The page's facts: each <dt> with its <dd>'s text."""
    facts = page.html.select_one("dl.facts")
    return {dt.text.strip(): " ".join(dd.text.split()) for dt, dd in zip(facts.find_all("dt"), facts.find_all("dd"))}


def test_the_list_shows_the_partys_invoices_in_their_states(testapp, books):
    login(testapp, books["user"].login)
    page = testapp.get(f"/p/{books['party'].id}/invoices/")
    assert rows_of(page) == ["СЧ-0004", "EU-0006", "СЧ-0002", "СЧ-0005", "СЧ-0003", "СЧ-0001"]
    states = {row.select("td")[1].text: row.select_one(".badge").text for row in page.html.select("form#invoices-zip tbody tr")}
    assert states == {"СЧ-0001": "Paid", "СЧ-0002": "Partially paid", "СЧ-0003": "Overdue", "СЧ-0004": "Open",
                      "СЧ-0005": "Cancelled", "EU-0006": "Open"}
    assert "FOREIGN-0099" not in page.text and "Foreign Ledger" not in page.text
    # Totals of every listed invoice, per currency; the cancelled one is counted, not summed.
    assert totals_of(page) == {
        "EUR": ("1", "€300.00", "€0.00", "€300.00"),
        "RUB": ("5", "RUB11,980.00", "RUB8,760.00", "RUB3,220.00"),
    }


def test_filters_narrow_the_list_and_its_totals(testapp, books, today):
    login(testapp, books["user"].login)
    base = f"/p/{books['party'].id}/invoices/"
    page = testapp.get(base, params={"state": "overdue"})
    assert rows_of(page) == ["СЧ-0003"]
    assert totals_of(page) == {"RUB": ("1", "RUB1,000.00", "RUB0.00", "RUB1,000.00")}
    spare = books["contracts"][1]
    assert rows_of(testapp.get(base, params={"contract": spare.id})) == ["СЧ-0003"]
    paid = books["invoices"]["paid"]
    month = paid.period_start.strftime("%Y-%m")
    assert rows_of(testapp.get(base, params={"period": month})) == ["СЧ-0001"]
    assert rows_of(testapp.get(base, params={"state": "open", "q": "eu-"})) == ["EU-0006"]
    empty = testapp.get(base, params={"state": "paid", "contract": spare.id})
    assert rows_of(empty) == [] and "No invoice matches the filter." in empty.text and not totals_of(empty)


def test_bad_filter_values_are_ignored_not_an_error(testapp, books):
    login(testapp, books["user"].login)
    base = f"/p/{books['party'].id}/invoices/"
    everything = rows_of(testapp.get(base))
    for params in ({"state": "lost"}, {"period": "2026-13"}, {"period": "March"}, {"contract": "x"},
                   {"contract": "99999999999"}, {"sort": "-nonsense"}, {"page": "-4"}):
        assert rows_of(testapp.get(base, params=params)) == everything, params
    # A well-formed id of no contract of this party lists nothing.
    assert rows_of(testapp.get(base, params={"contract": "999999"})) == []


def test_sorting(testapp, books):
    login(testapp, books["user"].login)
    base = f"/p/{books['party'].id}/invoices/"
    assert rows_of(testapp.get(base, params={"sort": "number"})) == sorted(rows_of(testapp.get(base)))
    by_total = rows_of(testapp.get(base, params={"sort": "-total"}))
    assert by_total[:2] == ["СЧ-0001", "СЧ-0002"] and by_total[-1] == "EU-0006"
    assert rows_of(testapp.get(base, params={"sort": "due"}))[0] == "СЧ-0001"


def test_totals_count_every_page_of_the_filtered_set(testapp, dbsession, books, today):
    party = books["party"]
    for n in range(55):
        f.invoice(dbsession, party, number=f"BULK-{n:03d}", issued=today - timedelta(days=400), due_in=10,
                  lines=[line("Bulk", "1", "pc", "10.00", "20")], paid="12.00" if n % 2 else "0")
    login(testapp, books["user"].login)
    page = testapp.get(f"/p/{party.id}/invoices/", params={"q": "bulk"})
    assert len(rows_of(page)) == 50 and "1–50 of 55" in " ".join(page.html.select_one("nav.pager").text.split())
    assert totals_of(page) == {"RUB": ("55", "RUB660.00", "RUB324.00", "RUB336.00")}
    second = testapp.get(f"/p/{party.id}/invoices/", params={"q": "bulk", "page": "2"})
    assert len(rows_of(second)) == 5 and totals_of(second) == totals_of(page)
    overdue = testapp.get(f"/p/{party.id}/invoices/", params={"q": "bulk", "state": "overdue"})
    assert totals_of(overdue) == {"RUB": ("28", "RUB336.00", "RUB0.00", "RUB336.00")}


def test_export_holds_the_filtered_sorted_rows_as_numbers(testapp, books):
    login(testapp, books["user"].login)
    page = testapp.get(f"/p/{books['party'].id}/invoices/", params={"contract": books["contracts"][0].id,
                                                                     "sort": "number"})
    export = testapp.get(page.html.select_one("p.export a")["href"])
    sheet = openpyxl.load_workbook(io.BytesIO(export.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Number", "Contract", "Issued") and header[-1] == "State"
    numbers = [r[0] for r in rows[1:]]
    assert numbers == ["СЧ-0001", "СЧ-0002", "СЧ-0004", "СЧ-0005"]
    partial = dict(zip(header, rows[2]))
    assert partial["Total"] == 2400 and partial["Amount paid"] == 960 and partial["Remainder"] == 1440
    assert partial["Paid, %"] == 40 and partial["State"] == "Partially paid" and partial["Currency"] == "RUB"
    assert "FOREIGN-0099" not in export.body.decode("latin-1")


def test_the_invoice_page_shows_lines_payments_share_paid_and_remainder(testapp, books):
    login(testapp, books["user"].login)
    invoice = books["invoices"]["partial"]
    page = testapp.get(f"/p/{books['party'].id}/invoices/{invoice.id}/")
    assert "СЧ-0002" in page.html.h1.text and "Partially paid" in page.html.h1.text
    facts = facts_of(page)
    assert (facts["Total"], facts["Amount paid"], facts["Remainder"]) == ("RUB2,400.00", "RUB960.00 (40 %)", "RUB1,440.00")
    assert facts["Contract"] == "K-2026/1"
    cells = [td.text.strip() for td in page.html.select("table.lines tbody td")]
    assert cells[:5] == ["1", "Передача электроэнергии", "1,000", "кВт·ч", "2.00"]
    assert cells[-4:] == ["RUB2,000.00", "20 %", "RUB400.00", "RUB2,400.00"]
    payment = books["payments"]["partial"]
    paid_rows = page.html.select("table.list")[-1].select("tbody tr")
    assert len(paid_rows) == 1 and "Частичная оплата СЧ-0002" in paid_rows[0].text
    assert paid_rows[0].select_one("a")["href"].endswith(f"/payments/{payment.id}/")
    assert "RUB960.00" in paid_rows[0].text
    assert page.html.select_one("a.btn-primary")["href"].endswith(f"/invoices/{invoice.id}/pdf")


def test_a_fully_paid_invoice_is_at_100_percent_with_nothing_left(testapp, books):
    login(testapp, books["user"].login)
    invoice = books["invoices"]["paid"]
    facts = facts_of(testapp.get(f"/p/{books['party'].id}/invoices/{invoice.id}/"))
    assert facts["Amount paid"] == "RUB7,800.00 (100 %)" and facts["Remainder"] == "RUB0.00"
    assert invoice.remainder == Decimal("0.00")


def test_staff_who_see_every_party_read_its_invoices(testapp, books):
    login(testapp, books["head"].login)
    page = testapp.get(f"/p/{books['party'].id}/invoices/")
    assert "СЧ-0001" in page.text
    assert "FOREIGN-0099" in testapp.get(f"/p/{books['other'].id}/invoices/").text


def test_the_party_home_links_the_finance_pages_and_the_header_its_invoices(testapp, books):
    login(testapp, books["user"].login)
    party = books["party"].id
    home = testapp.get(f"/p/{party}/")
    tiles = {a.text: a["href"] for a in home.html.select("a.tile")}
    assert tiles["Invoices"].endswith(f"/p/{party}/invoices") and tiles["Payments"].endswith(f"/p/{party}/payments")
    assert tiles["Settlement statement"].endswith(f"/p/{party}/statement")
    nav = {a.text.strip(): a["href"] for a in home.html.select("nav.nav a")}
    assert nav["Invoices"].endswith(f"/p/{party}/invoices/")


def test_off_the_partys_pages_the_header_links_a_members_invoices_without_reading_the_party(
        testapp, dbsession, books):
    login(testapp, books["user"].login)
    party = books["party"].id
    dbsession.expunge_all()  # as in a request of its own: nothing already loaded
    with statements(dbsession) as seen:
        page = testapp.get("/account/")
    nav = {a.text.strip(): a["href"] for a in page.html.select("nav.nav a")}
    assert nav["Invoices"].endswith(f"/p/{party}/invoices/")
    assert not [sql for sql in seen if re.search(r"\bFROM parties\b", sql) and "JOIN" not in sql]


def test_a_member_outside_the_finance_role_has_no_invoices_link_anywhere(testapp, dbsession, books):
    operations = UserFactory()
    MembershipFactory(user=operations, party=books["party"], role="operations")
    dbsession.flush()
    login(testapp, operations.login)
    for path in ("/account/", f"/p/{books['party'].id}/"):
        page = testapp.get(path)
        assert "Invoices" not in {a.text.strip() for a in page.html.select("nav.nav a")}
    testapp.get(f"/p/{books['party'].id}/invoices/", status=403)  # its own party: forbidden, not hidden
