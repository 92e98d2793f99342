"""The audit page: people and objects by name (read in the page's one statement), actions by their
title in the reader's language, a filter by action, the export; admins only."""
import io

import openpyxl
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.audit.services import write_entry
from tests.conftest import login, statements
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff


@pytest.fixture
def admin(dbsession):
    return staff("admin", login="log-reader", last_name="Chitaeva", first_name="Olga")


def rows(page):
    return [[td.get_text(" ", strip=True) for td in tr.select("td")] for tr in page.html.select("table.list tbody tr")]


def row_of(page, action_title):
    return next(r for r in rows(page) if r[2] == action_title)


def test_people_and_objects_are_shown_by_name_and_actions_by_title(testapp, dbsession, admin):
    person = customer(last_name="Blokova", first_name="Anna", login="blokova")
    party = PartyFactory(name="Named Party")
    group = StaffGroupFactory(name="Night shift")
    request_type = RequestTypeFactory(code="meter-check")
    write_entry(dbsession, "user.block", f"user:{person.id}", actor_id=admin.id)
    write_entry(dbsession, "change_request.apply", f"party:{party.id}", actor_id=admin.id, change_request=7,
                changes={"email": ["old@x.test", "new@x.test"]})
    write_entry(dbsession, "staff_group.rename", f"staff_group:{group.id}", actor_id=admin.id)
    write_entry(dbsession, "request_type.update", f"request_type:{request_type.id}", actor_id=admin.id)
    write_entry(dbsession, "staff_group.delete", "staff_group:999999", actor_id=admin.id, name="Gone group")
    write_entry(dbsession, "document.withdraw", "document:5", actor_id=admin.id)
    write_entry(dbsession, "list.export", "list:requests", actor_id=admin.id, list="Requests")
    write_entry(dbsession, "login.failure", "", login="guess")
    login(testapp, admin.login)
    page = testapp.get("/admin/audit")
    assert row_of(page, "User blocked")[1:4] == ["Chitaeva Olga log-reader", "User blocked", "Blokova Anna blokova"]
    applied = row_of(page, "Change request approved and applied")
    assert applied[3] == "Named Party"
    assert "email: old@x.test → new@x.test" in applied[4] and "change_request: 7" in applied[4]
    assert row_of(page, "Staff group renamed")[3] == "Night shift"
    assert row_of(page, "Request type changed")[3] == "meter-check"
    assert row_of(page, "Staff group deleted")[3] == "Staff group Gone group"
    assert row_of(page, "Document withdrawn")[3] == "Document #5"
    assert row_of(page, "List exported")[3] == "Requests"
    failed = row_of(page, "Failed login")
    assert failed[1] == "—" and failed[3] == "—" and failed[4] == "login: guess"
    table = page.html.select_one("table.list").get_text()
    assert "user:" not in table and "party:" not in table and "staff_group:" not in table


def test_the_page_reads_names_in_one_statement_however_many_entries(testapp, dbsession, admin):
    login(testapp, admin.login)

    def page_statements():
        with statements(dbsession) as seen:
            testapp.get("/admin/audit")
        return len(seen)

    def add(n):
        for _ in range(n):
            person, party = customer(), PartyFactory()
            write_entry(dbsession, "user.block", f"user:{person.id}", actor_id=person.id)
            write_entry(dbsession, "membership.add", f"party:{party.id}", actor_id=person.id)
        dbsession.flush()

    add(2)
    few = page_statements()
    add(20)
    assert page_statements() == few


def test_the_log_is_filtered_by_action(testapp, dbsession, admin):
    person = customer()
    write_entry(dbsession, "user.block", f"user:{person.id}", actor_id=admin.id)
    write_entry(dbsession, "user.unblock", f"user:{person.id}", actor_id=admin.id)
    login(testapp, admin.login)
    page = testapp.get("/admin/audit")
    options = [o["value"] for o in page.html.select("select[name=action] option")]
    assert "user.block" in options and "login.success" in options
    only = testapp.get("/admin/audit?action=user.block")
    assert [r[2] for r in rows(only)] == ["User blocked"]
    assert only.html.select_one("select[name=action] option[selected]")["value"] == "user.block"
    export = openpyxl.load_workbook(io.BytesIO(testapp.get(only.html.select_one("p.export a")["href"]).body)).active
    assert [row[3].value for row in export.iter_rows(min_row=2)] == ["User blocked"]
    # A filter the log does not know lists everything, as if none was given.
    assert rows(testapp.get("/admin/audit?action=drop%20table")) == rows(testapp.get("/admin/audit"))
    empty = testapp.get("/admin/audit?action=outbox.retry")
    assert "No entry matches the filter." in empty.text


def test_the_export_names_people_and_translates_actions(testapp, dbsession, admin):
    person = customer(last_name="Exportova", first_name="Vera")
    write_entry(dbsession, "user.unblock", f"user:{person.id}", actor_id=admin.id)
    login(testapp, admin.login)
    sheet = openpyxl.load_workbook(io.BytesIO(testapp.get("/admin/audit/export.xlsx?action=user.unblock").body)).active
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert header == ["When (UTC)", "Who", "Login", "Action", "Object", "Details", "Address"]
    assert row[1:5] == ["Chitaeva Olga", "log-reader", "User unblocked", "Exportova Vera"]


def test_the_page_reads_in_russian(testapp, dbsession):
    reader = staff("admin", language="ru")
    person = customer(last_name="Иванова", first_name="Мария")
    write_entry(dbsession, "user.block", f"user:{person.id}", actor_id=reader.id)
    login(testapp, reader.login)
    page = testapp.get("/admin/audit?action=user.block")
    (row,) = rows(page)
    assert row[2] == "Пользователь заблокирован"
    assert row[3].startswith("Иванова Мария")


@pytest.mark.parametrize("path", ["/admin/audit", "/admin/audit/export.xlsx", "/admin/audit?action=user.block"])
def test_a_customer_cannot_see_the_audit_log(testapp, dbsession, path):
    login(testapp, customer().login)
    testapp.get(path, status=403)
    dbsession.flush()
    assert dbsession.scalars(select(AuditEntry.action).where(AuditEntry.action == "list.export")).all() == []


def test_anonymous_visitors_are_sent_to_log_in(testapp):
    response = testapp.get("/admin/audit", status=303)
    assert response.location == "http://localhost/login?next=%2Fadmin%2Faudit"
