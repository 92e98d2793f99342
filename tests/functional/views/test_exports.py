"""XLSX exports of the lists: the page's scope, search and order, and nobody else's rows."""
import io
import zipfile
from urllib.parse import parse_qs, urlsplit

import openpyxl
import pytest

from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, MembershipFactory, PartyFactory, UserFactory, customer, staff

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def sheet_rows(response):
    assert response.content_type == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.body))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def all_text(response) -> str:
    """Every XML part of the workbook, so a name can be proved absent anywhere in the file."""
    with zipfile.ZipFile(io.BytesIO(response.body)) as archive:
        return "".join(archive.read(name).decode("utf-8") for name in archive.namelist())


def page_names(page):
    return [a.text for a in page.html.select("table.list tbody td:first-child a")]


@pytest.fixture
def two_parties(dbsession):
    a = PartyFactory(name="Alpha Power", tax_id="1111111111", external_id="ALPHA-1")
    b = PartyFactory(name="Beta Water", tax_id="2222222222", external_id="BETA-2")
    return a, b


def test_staff_export_matches_the_pages_search_and_sort(testapp):
    for n in range(60):
        PartyFactory(name=f"Zeta {n:02d}", tax_id=f"55{n:08d}")
    PartyFactory(name="Other Ltd")
    login(testapp, staff("backoffice").login)
    page = testapp.get("/p/?q=zeta&sort=-name")
    rows = sheet_rows(testapp.get("/p/export.xlsx?q=zeta&sort=-name"))
    assert rows[0] == ["Name", "Tax id", "Address", "Accounting id"]
    names = [r[0] for r in rows[1:]]
    assert len(names) == 60  # the whole list, not one page of it
    assert names[:50] == page_names(page)
    assert names == [f"Zeta {n:02d}" for n in reversed(range(60))]
    assert rows[1][1] == "5500000059"
    by_tax_id = sheet_rows(testapp.get("/p/export.xlsx?q=zeta&sort=tax_id"))
    assert [r[1] for r in by_tax_id[1:]] == sorted(r[1] for r in rows[1:])


def test_page_links_to_its_export_with_its_search_and_sort(testapp, two_parties):
    login(testapp, staff("head").login)
    page = testapp.get("/p/?q=alpha&sort=-tax_id")
    link = page.html.select_one("p.export a")
    assert link.text == "Export to Excel"
    url = urlsplit(link["href"])
    assert url.path == "/p/export.xlsx"
    assert parse_qs(url.query) == {"q": ["alpha"], "sort": ["-tax_id"]}
    assert [r[0] for r in sheet_rows(testapp.get(link["href"]))[1:]] == ["Alpha Power"]


def test_no_export_link_on_an_empty_list(testapp):
    login(testapp, staff("head").login)
    assert testapp.get("/p/?q=nothing-like-this").html.select_one("p.export") is None


def test_customer_exports_only_its_own_parties(testapp, two_parties):
    a, b = two_parties
    login(testapp, customer(a).login)
    for query in ("", "?q=beta", "?q=2222222222", "?q=a&sort=-name"):
        response = testapp.get("/p/export.xlsx" + query)
        text = all_text(response)
        assert "Beta Water" not in text and "2222222222" not in text and "BETA-2" not in text
    rows = sheet_rows(testapp.get("/p/export.xlsx"))
    assert rows[1:] == [["Alpha Power", "1111111111", a.address, "ALPHA-1"]]


def test_holding_user_exports_its_parties_but_not_the_holding(testapp):
    holding = PartyFactory(name="Holding Group")
    first = PartyFactory(name="Daughter One", parent_id=holding.id)
    second = PartyFactory(name="Daughter Two", parent_id=holding.id)
    user = customer(first)
    MembershipFactory(user=user, party=second)
    revoked = PartyFactory(name="Former Partner")
    MembershipFactory(user=user, party=revoked, state="revoked")
    login(testapp, user.login)
    response = testapp.get("/p/export.xlsx")
    assert [r[0] for r in sheet_rows(response)[1:]] == ["Daughter One", "Daughter Two"]
    assert "Holding Group" not in all_text(response) and "Former Partner" not in all_text(response)


def test_manager_exports_only_assigned_parties(testapp, two_parties):
    a, b = two_parties
    manager = staff("manager")
    ManagerAssignmentFactory(user_id=manager.id, party_id=a.id)
    login(testapp, manager.login)
    response = testapp.get("/p/export.xlsx")
    assert [r[0] for r in sheet_rows(response)[1:]] == ["Alpha Power"]
    assert "Beta Water" not in all_text(response)


def test_unbound_customer_gets_an_empty_export(testapp, two_parties):
    login(testapp, UserFactory().login)
    response = testapp.get("/p/export.xlsx")
    assert sheet_rows(response) == [["Name", "Tax id", "Address", "Accounting id"]]
    assert "Alpha Power" not in all_text(response)


@pytest.mark.parametrize("url", ["/p/export.xlsx", "/admin/users/export.xlsx"])
def test_anonymous_visitor_is_sent_to_login(testapp, url):
    response = testapp.get(url, status=303)
    assert "/login?next=" in response.location


@pytest.mark.parametrize("role", ["service", "manager", "head"])
def test_only_admins_and_the_back_office_export_users(testapp, role):
    login(testapp, staff(role).login)
    response = testapp.get("/admin/users/export.xlsx", status=403)
    assert response.content_type == "text/html"


def test_the_back_offices_export_of_users_holds_customers_users_only(testapp):
    customer(login="exported-customer")
    staff("service", login="unexported-colleague")
    login(testapp, staff("backoffice").login)
    sheet = openpyxl.load_workbook(io.BytesIO(testapp.get("/admin/users/export.xlsx?q=export").body)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == ["exported-customer"]


def test_customer_cannot_export_users(testapp):
    login(testapp, customer().login)
    testapp.get("/admin/users/export.xlsx", status=403)


def test_exports_refuse_post(testapp):
    login(testapp, staff("admin").login)
    token = testapp.get("/account/").forms[0]["csrf_token"].value
    testapp.post("/p/export.xlsx", {"csrf_token": token}, status=404)


def test_user_export_matches_the_pages_search_and_sort(testapp):
    login(testapp, staff("admin", login="root-admin").login)
    customer(login="alice", last_name="Zimina", email="alice@example.test")
    customer(login="alina", last_name="Abramova", state="blocked")
    customer(login="bob", last_name="Borisov")
    page = testapp.get("/admin/users/?q=ali&sort=name")
    rows = sheet_rows(testapp.get(page.html.select_one("p.export a")["href"]))
    assert rows[0] == ["Login", "Name", "E-mail", "Phone", "State", "Last login (UTC)"]
    assert [r[0] for r in rows[1:]] == ["alina", "alice"] == page_names(page)
    assert rows[2][1:5] == ["Zimina Test", "alice@example.test", None, "active"]
    assert rows[1][4] == "blocked"
    admin_row = sheet_rows(testapp.get("/admin/users/export.xlsx?q=root-admin"))[1]
    assert admin_row[5] is not None and admin_row[5].year >= 2024  # logged in just now: an Excel date


def test_export_speaks_the_users_language_and_names_the_file(testapp):
    login(testapp, staff("admin", language="ru").login)
    response = testapp.get("/admin/users/export.xlsx")
    rows = sheet_rows(response)
    assert rows[0][0] == "Логин"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="users-')
    assert ".xlsx\"; filename*=UTF-8''%D0%9F%D0%BE%D0%BB%D1%8C%D0%B7" in disposition  # "Польз…"
    disposition.encode("ascii")  # the header itself stays ASCII
    assert response.headers["Cache-Control"] == "no-store"
    assert int(response.headers["Content-Length"]) == len(response.body)


def test_formula_in_a_party_name_is_exported_as_text(testapp):
    PartyFactory(name="=HYPERLINK(\"http://evil.test\",\"click\")")
    login(testapp, staff("backoffice").login)
    response = testapp.get("/p/export.xlsx?q=hyperlink")
    book = openpyxl.load_workbook(io.BytesIO(response.body))
    cell = book.active["A2"]
    assert cell.data_type == "s" and cell.quotePrefix
    assert "<f>" not in all_text(response)
