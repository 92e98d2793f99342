"""Lists made from one spec: each page and its export agree, and exported times read as the pages do.

The exports here are the ones the list machinery added (requests, the audit
log) and the time zone every export now writes in: the company's
(``portal.timezone``), named in the header, never UTC behind the user's back.
"""
import io
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import openpyxl
import pytest
import webtest

import portal
from portal.formats import format_datetime
from tests.conftest import login
from tests.factories import PartyFactory, RequestTypeFactory, customer, staff
from tests.factories.workflow_items import CustomerRequestFactory, ServiceTicketFactory

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MOSCOW = ZoneInfo("Europe/Moscow")


def sheet_rows(response):
    assert response.content_type == XLSX
    return [[c.value for c in row] for row in openpyxl.load_workbook(io.BytesIO(response.body)).active.iter_rows()]


def export_link(page):
    return page.html.select_one("p.export a")["href"]


# --- times in the company's zone ---------------------------------------------------------------
@pytest.fixture(scope="module")
def moscow_app(app_settings, migrated_engine):
    return portal.main({}, **dict(app_settings, **{"portal.timezone": "Europe/Moscow"}))


@pytest.fixture
def moscow(moscow_app, tm, dbsession):
    return webtest.TestApp(moscow_app, extra_environ={
        "HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
        "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession,
    })


def test_an_exported_time_is_the_time_the_page_shows(moscow):
    party = PartyFactory(name="Zoned Co")
    filed = datetime(2026, 1, 31, 11, 5, tzinfo=timezone.utc)  # 14:05 in Moscow
    ServiceTicketFactory(party=party, subject="Zoned ticket", created_at=filed)
    login(moscow, customer(party).login)
    page = moscow.get(f"/p/{party.id}/tickets/")
    cells = [td.get_text(strip=True) for td in page.html.select("table.list tbody tr")[0].select("td")]
    rows = sheet_rows(moscow.get(export_link(page)))
    header, row = rows[0], rows[1]
    assert header[4] == "Filed (Europe/Moscow)" and header[5] == "Due (Europe/Moscow)"
    assert row[4] == datetime(2026, 1, 31, 14, 5)  # what the page shows, not UTC's 11:05
    assert cells[4] == format_datetime(row[4].replace(tzinfo=MOSCOW), MOSCOW, "en", "short")


def test_every_export_names_the_zone_of_its_times(moscow):
    login(moscow, staff("admin").login)
    header = sheet_rows(moscow.get("/admin/users/export.xlsx"))[0]
    assert header[-1] == "Last login (Europe/Moscow)"
    assert sheet_rows(moscow.get("/admin/outbox/export.xlsx"))[0][0] == "Written (Europe/Moscow)"


# --- the requests' export ------------------------------------------------------------------------
def test_the_request_list_exports_what_it_lists(testapp):
    party = PartyFactory(name="Exporting Co")
    general = RequestTypeFactory(code="general", names={"en": "General", "ru": "Общий"})
    meter = RequestTypeFactory(code="meter", names={"en": "Meter", "ru": "Счётчик"})
    for n in range(55):
        CustomerRequestFactory(party=party, type=general, subject=f"General {n:02d}")
    CustomerRequestFactory(party=party, type=meter, subject="Meter one", state="closed")
    CustomerRequestFactory(party=PartyFactory(), type=general, subject="Someone else's")
    login(testapp, customer(party).login)
    page = testapp.get(f"/p/{party.id}/requests/?type={general.id}&sort=subject")
    link = urlsplit(export_link(page))
    assert link.path == f"/p/{party.id}/requests/export.xlsx"
    assert parse_qs(link.query) == {"type": [str(general.id)], "sort": ["subject"]}
    rows = sheet_rows(testapp.get(export_link(page)))
    assert rows[0] == ["#", "Subject", "Type", "State", "Filed (UTC)", "Due (UTC)", "Handled by", "Resolved (UTC)"]
    subjects = [r[1] for r in rows[1:]]
    assert subjects == [f"General {n:02d}" for n in range(55)]  # every page, in the page's order
    assert subjects[:50] == [a.text for a in page.html.select("table.list tbody td:nth-of-type(2) a")]
    assert {r[2] for r in rows[1:]} == {"General"} and rows[1][3] == "New"
    closed = sheet_rows(testapp.get(f"/p/{party.id}/requests/export.xlsx?state=closed"))
    assert [r[1:4] for r in closed[1:]] == [["Meter one", "Meter", "Closed"]]
    assert "Someone else's" not in str(sheet_rows(testapp.get(f"/p/{party.id}/requests/export.xlsx")))


def test_another_partys_request_export_is_not_found_or_forbidden(testapp):
    mine, other = PartyFactory(), PartyFactory()
    login(testapp, customer(mine).login)
    response = testapp.get(f"/p/{other.id}/requests/export.xlsx", expect_errors=True)
    assert response.status_int in (403, 404) and response.content_type != XLSX


# --- the audit log ---------------------------------------------------------------------------------
def test_the_audit_log_names_people_and_exports_every_entry(testapp):
    admin = staff("admin", login="audit-admin", last_name="Auditova", first_name="Anna")
    user = customer()
    login(testapp, admin.login)
    page = testapp.get(f"/admin/users/{user.id}/")
    page.forms["user-state"].submit(status=303)
    audit = testapp.get("/admin/audit")
    who = audit.html.select_one("table.list tbody tr td:nth-of-type(2)").get_text(" ", strip=True)
    assert who == "Auditova Anna audit-admin"
    rows = sheet_rows(testapp.get(export_link(audit)))
    assert rows[0] == ["When (UTC)", "Who", "Login", "Action", "Object", "Details", "Address"]
    assert rows[1][1:5] == ["Auditova Anna", "audit-admin", "User blocked", user.full_name]
    assert isinstance(rows[1][0], datetime)


@pytest.mark.parametrize("role", ["backoffice", "service", "manager", "head"])
def test_only_admins_export_the_audit_log(testapp, role):
    login(testapp, staff(role).login)
    testapp.get("/admin/audit/export.xlsx", status=403)
