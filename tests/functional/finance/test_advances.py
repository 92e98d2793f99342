"""Advance schedules: the list (filters, sort, pages, the totals of the filtered set, the export), one
schedule with its payments, the tile, and another party's schedules kept out of every one of them."""
import io
from datetime import timedelta

import openpyxl
import webtest

import portal
from portal.api.keys import create_api_key
from portal.parties.resources import acl_template
from tests.conftest import login
from tests.factories import PartyFactory, customer
from tests.factories import finance as f

FOREIGN = ("FOREIGN-ADV-0099", "FOREIGN-K-99", "Foreign Ledger", "9,999.00")


def leaks(text):
    return [marker for marker in FOREIGN if marker in text]


def rows_of(page):
    """The schedule numbers the list shows, in order."""
    return [a.text for a in page.html.select("table.advances tbody tr td:nth-of-type(1) a")]


def totals_of(page) -> dict:
    """currency -> (count, planned, paid, remainder) as the totals table shows them."""
    found = {}
    for row in page.html.select("table.totals-table tbody tr"):
        cells = [td.text.strip() for td in row.find_all("td")]
        found[cells[0]] = tuple(cells[1:])
    return found


def base_of(books):
    return f"/p/{books['party'].id}/advances/"


def test_the_list_shows_the_partys_schedules_in_their_states_and_their_totals(testapp, books, advances):
    login(testapp, books["user"].login)
    page = testapp.get(base_of(books))
    assert rows_of(page) == ["EU-A-0004", "ГА-0003", "ГА-0001", "ГА-0002"]
    states = {row.select_one("td a").text: row.select_one(".badge").text for row in page.html.select("table.advances tbody tr")}
    assert states == {"ГА-0001": "Overdue", "ГА-0002": "Paid", "ГА-0003": "Planned", "EU-A-0004": "Planned"}
    overdue_row = next(r for r in page.html.select("table.advances tbody tr") if "ГА-0001" in r.text)
    cells = [td.text.strip() for td in overdue_row.find_all("td")]
    assert cells[3:7] == ["K-2026/1", "RUB20,000.00", "RUB7,000.00", "RUB13,000.00"]
    assert "overdue" in overdue_row["class"]
    assert totals_of(page) == {
        "EUR": ("1", "€250.50", "€0.00", "€250.50"),
        "RUB": ("3", "RUB28,400.00", "RUB14,100.00", "RUB14,800.00"),
    }
    assert not leaks(page.text)


def test_filters_by_state_and_contract_narrow_the_list_and_its_totals(testapp, books, advances):
    login(testapp, books["user"].login)
    base = base_of(books)
    overdue = testapp.get(base, params={"state": "overdue"})
    assert rows_of(overdue) == ["ГА-0001"]
    assert totals_of(overdue) == {"RUB": ("1", "RUB20,000.00", "RUB7,000.00", "RUB13,000.00")}
    assert rows_of(testapp.get(base, params={"state": "paid"})) == ["ГА-0002"]
    assert rows_of(testapp.get(base, params={"state": "planned"})) == ["EU-A-0004", "ГА-0003"]
    spare = books["contracts"][1]
    by_contract = testapp.get(base, params={"contract": spare.id})
    assert rows_of(by_contract) == ["ГА-0002"]
    assert totals_of(by_contract) == {"RUB": ("1", "RUB6,000.00", "RUB6,500.00", "RUB0.00")}
    assert rows_of(testapp.get(base, params={"q": "eu-a"})) == ["EU-A-0004"]
    empty = testapp.get(base, params={"state": "overdue", "contract": spare.id})
    assert rows_of(empty) == [] and "No advance schedule matches the filter." in empty.text and not totals_of(empty)


def test_bad_filter_values_are_ignored_not_an_error(testapp, books, advances):
    login(testapp, books["user"].login)
    base = base_of(books)
    everything = rows_of(testapp.get(base))
    for params in ({"state": "lost"}, {"state": "partially_paid"}, {"contract": "x"}, {"contract": "99999999999"},
                   {"sort": "-nonsense"}, {"page": "-4"}):
        assert rows_of(testapp.get(base, params=params)) == everything, params
    # A well-formed id of no contract of this party, the other party's included, lists nothing.
    assert rows_of(testapp.get(base, params={"contract": advances["foreign_contract"].id})) == []


def test_sorting(testapp, books, advances):
    login(testapp, books["user"].login)
    base = base_of(books)
    assert rows_of(testapp.get(base, params={"sort": "number"})) == ["EU-A-0004", "ГА-0001", "ГА-0002", "ГА-0003"]
    assert rows_of(testapp.get(base, params={"sort": "period"})) == ["ГА-0002", "ГА-0001", "ГА-0003", "EU-A-0004"]
    assert rows_of(testapp.get(base, params={"sort": "issued"})) == ["ГА-0002", "ГА-0001", "ГА-0003", "EU-A-0004"]


def test_totals_count_every_page_of_the_filtered_set(testapp, dbsession, books, advances, today):
    party, main = books["party"], books["contracts"][0]
    for n in range(55):
        f.advance_schedule(dbsession, party, main, number=f"BULK-{n:03d}", issued=today - timedelta(days=400),
                           payments=[(today - timedelta(days=300), "10.00", "4.00" if n % 2 else "10.00")])
    login(testapp, books["user"].login)
    page = testapp.get(base_of(books), params={"q": "bulk"})
    assert len(rows_of(page)) == 50 and "1–50 of 55" in " ".join(page.html.select_one("nav.pager").text.split())
    assert totals_of(page) == {"RUB": ("55", "RUB550.00", "RUB388.00", "RUB162.00")}
    second = testapp.get(base_of(books), params={"q": "bulk", "page": "2"})
    assert len(rows_of(second)) == 5 and totals_of(second) == totals_of(page)
    overdue = testapp.get(base_of(books), params={"q": "bulk", "state": "overdue"})
    assert totals_of(overdue) == {"RUB": ("27", "RUB270.00", "RUB108.00", "RUB162.00")}


def test_export_holds_the_filtered_sorted_rows_as_numbers(testapp, books, advances):
    login(testapp, books["user"].login)
    page = testapp.get(base_of(books), params={"contract": books["contracts"][0].id, "sort": "number"})
    export = testapp.get(page.html.select_one("p.export a")["href"])
    rows = list(openpyxl.load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True))
    header = rows[0]
    assert header[:3] == ("Number", "Contract", "Issued") and header[-1] == "State"
    assert [r[0] for r in rows[1:]] == ["EU-A-0004", "ГА-0001", "ГА-0003"]
    overdue = dict(zip(header, rows[2]))
    assert (overdue["Planned"], overdue["Amount paid"], overdue["Remainder"]) == (20000, 7000, 13000)
    assert overdue["Payments"] == 4 and overdue["State"] == "Overdue" and overdue["Contract"] == "K-2026/1"
    assert dict(zip(header, rows[1]))["Currency"] == "EUR"
    assert not leaks(str(rows))


def test_the_schedule_page_shows_each_payment_in_its_state_with_totals(testapp, books, advances, today):
    login(testapp, books["user"].login)
    schedule = advances["schedules"]["overdue"]
    page = testapp.get(f"{base_of(books)}{schedule.id}/")
    assert "ГА-0001" in page.html.h1.text and "Overdue" in page.html.h1.text
    facts = page.html.select_one("dl.facts")
    facts = {dt.text.strip(): " ".join(dd.text.split()) for dt, dd in zip(facts.find_all("dt"), facts.find_all("dd"))}
    assert (facts["Planned"], facts["Amount paid"], facts["Remainder"]) == ("RUB20,000.00", "RUB7,000.00", "RUB13,000.00")
    assert facts["Contract"] == "K-2026/1"
    rows = page.html.select("table.advance-payments tbody tr")
    assert [r.select_one(".badge").text for r in rows] == ["Paid", "Overdue", "Planned", "Planned"]
    assert [td.text.strip() for td in rows[1].find_all("td")][2:4] == ["RUB5,000.00", "RUB2,000.00"]
    assert [td.text.strip() for td in rows[1].find_all("td")][5] == "RUB3,000.00"
    assert rows[0].find_all("td")[4].text.strip() != "—" and rows[2].find_all("td")[4].text.strip() == "—"
    footer = [td.text.strip() for td in page.html.select("table.advance-payments tfoot td")]
    assert footer[0] == "RUB20,000.00" and footer[1] == "RUB7,000.00" and footer[3] == "RUB13,000.00"
    assert page.html.select_one("a.btn-primary")["href"].endswith(f"/advances/{schedule.id}/pdf")
    # Paid beyond the plan leaves nothing to pay, not less than nothing.
    paid = testapp.get(f"{base_of(books)}{advances['schedules']['paid'].id}/")
    assert "Paid" in paid.html.h1.text and "RUB0.00" in paid.html.select_one("dd.remainder").text


def test_the_party_home_has_the_tile_and_an_empty_list_says_so(testapp, dbsession, books):
    login(testapp, books["user"].login)
    party = books["party"].id
    tiles = {a.text: a["href"] for a in testapp.get(f"/p/{party}/").html.select("a.tile")}
    assert tiles["Advance schedules"].endswith(f"/p/{party}/advances")
    empty = testapp.get(f"/p/{party}/advances/")
    assert "There are no advance schedules yet." in empty.text and not empty.html.select("table.advances")
    assert not empty.html.select("p.export")


def test_staff_who_see_every_party_read_its_schedules(testapp, books, advances):
    login(testapp, books["head"].login)
    assert "ГА-0001" in testapp.get(base_of(books)).text
    assert "FOREIGN-ADV-0099" in testapp.get(f"/p/{books['other'].id}/advances/").text


def test_another_partys_schedule_page_and_pdf_are_not_found(testapp, books, advances):
    login(testapp, books["user"].login)
    own, other, foreign = books["party"].id, books["other"].id, advances["foreign"].id
    for url in (f"/p/{own}/advances/{foreign}/", f"/p/{own}/advances/{foreign}/pdf",
                f"/p/{other}/advances/{foreign}/", f"/p/{other}/advances/{foreign}/pdf", f"/p/{other}/advances/",
                f"/p/{other}/advances/export.xlsx", f"/p/{own}/advances/99999999999/", f"/p/{own}/advances/x/"):
        assert not leaks(testapp.get(url, status=404).text), url


def test_lists_totals_and_exports_hold_nothing_of_another_party(testapp, books, advances):
    login(testapp, books["user"].login)
    base = base_of(books)
    for params in ({}, {"q": "FOREIGN"}, {"state": "overdue"}, {"contract": advances["foreign_contract"].id}):
        page = testapp.get(base, params=params)
        assert not leaks(page.text), params
    searched = testapp.get(base, params={"q": "FOREIGN"})
    assert "No advance schedule matches the filter." in searched.text and not totals_of(searched)
    # The foreign schedule is overdue: the own overdue totals are those of the own one alone.
    assert totals_of(testapp.get(base, params={"state": "overdue"}))["RUB"][0] == "1"
    for params in ({}, {"q": "FOREIGN"}):
        export = testapp.get(base + "export.xlsx", params=params)
        sheet = openpyxl.load_workbook(io.BytesIO(export.body)).active
        assert not leaks(str(list(sheet.iter_rows(values_only=True)))), params


def test_a_user_of_a_party_without_the_membership_sees_nothing(testapp, books, advances):
    stranger = customer(PartyFactory(name="Third Party Ltd"))
    login(testapp, stranger.login)
    testapp.get(base_of(books), status=404)
    testapp.get(f"{base_of(books)}{advances['schedules']['overdue'].id}/pdf", status=404)


def test_nothing_of_advances_exists_when_finance_is_switched_off(app_settings, tm, dbsession, books, advances):
    off = portal.main({}, **dict(app_settings, **{"portal.modules": ""}))
    browser = webtest.TestApp(off, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                                  "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    login(browser, books["user"].login)
    party, schedule = books["party"].id, advances["schedules"]["overdue"].id
    for url in (f"/p/{party}/advances/", f"/p/{party}/advances/{schedule}/", f"/p/{party}/advances/{schedule}/pdf"):
        browser.get(url, status=404)
    assert "/advances" not in browser.get(f"/p/{party}/").text
    granted = {p for _kind, _role, perms in acl_template(off.registry) for p in perms}
    assert "advances:view" not in granted
    key = create_api_key(dbsession, "Accounting", "write")[1]
    browser.post_json("/api/v1/advance_schedules", {}, headers={"Authorization": f"Bearer {key}"}, status=404)
