"""An admin configures the workflows: request types, the SLA per priority, staff groups; all audited, admins only."""
import io
from datetime import datetime, timedelta, timezone

import openpyxl
import pytest
import webtest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.db.meta import utcnow
from portal.identity.auth import load_identity
from portal.requests.models import CustomerRequest, RequestType
from portal.security.principals import group_principal, principals_for
from portal.staff.models import StaffGroup, StaffGroupMember
from portal.tickets.models import SlaPolicy
from portal.tickets.sla import BusinessCalendar, due_at
from tests.conftest import csrf_token, login
from tests.factories import (
    PartyFactory,
    RequestTypeFactory,
    SlaPolicyFactory,
    StaffGroupFactory,
    StaffGroupMemberFactory,
    customer,
    staff,
)

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UTC_CALENDAR = BusinessCalendar()  # 9-18 on weekdays, UTC: what the test settings give


@pytest.fixture
def admin_app(testapp):
    login(testapp, staff("admin", login="root-admin").login)
    return testapp


def browser(app, testapp, user):
    """Another logged-in browser sharing the test's transaction."""
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, user.login)
    return other


def audit_actions(dbsession, prefix=""):
    """The settings' audit entries (the admin's own login is audited too, and is not one of them)."""
    dbsession.flush()
    return dbsession.scalars(
        select(AuditEntry.action).where(AuditEntry.action.startswith(prefix), AuditEntry.action.not_like("login.%"))
        .order_by(AuditEntry.id)
    ).all()


def count(dbsession, model):
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(model))


def fresh(dbsession, model, key):
    dbsession.flush()
    dbsession.expire_all()
    return dbsession.get(model, key)


def fill_type_form(form, **values):
    defaults = {"code": "meter-check", "name_en": "Meter check", "name_ru": "Проверка счётчика",
                "default_priority": "normal", "due_hours": "48"}
    for name, value in dict(defaults, **values).items():
        if name == "active":
            form["active"].checked = value
        else:
            form[name] = value
    return form


def error_text(response):
    return " ".join(p.get_text(" ", strip=True) for p in response.html.select(".invalid-feedback, .alert"))


def sheet_rows(response):
    assert response.content_type == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.body))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def offered_types(testapp, party):
    form = testapp.get(f"/p/{party.id}/requests/new").forms.get("new-request")
    return [] if form is None else [text for value, _selected, text in form["type_id"].options if value]


# --- request types ---------------------------------------------------------------------
def test_admin_creates_edits_and_deactivates_a_type_and_the_customer_form_follows(admin_app, app, dbsession):
    group = StaffGroupFactory(name="Metering")
    party = PartyFactory()
    client = browser(app, admin_app, customer(party))
    assert offered_types(client, party) == []

    form = fill_type_form(admin_app.get("/admin/request-types/new").forms["request-type"],
                          code=" Meter-Check ", group_id=str(group.id), default_priority="high", due_hours="12")
    listing = form.submit("submit", status=303).follow()
    assert "The request type “meter-check” has been created." in listing.text
    rtype = dbsession.scalars(select(RequestType)).one()
    assert (rtype.code, rtype.names, rtype.group_id, rtype.default_priority, rtype.due_hours, rtype.active) == (
        "meter-check", {"en": "Meter check", "ru": "Проверка счётчика"}, group.id, "high", 12, True)
    assert "Meter check" in listing.text and "Metering" in listing.text and "High" in listing.text

    # The customer may file one now: routed to the group, with the type's priority and due time.
    assert offered_types(client, party) == ["Meter check"]
    new = client.get(f"/p/{party.id}/requests/new").forms["new-request"]
    new["type_id"], new["subject"], new["body"] = str(rtype.id), "Check my meter", "It spins backwards."
    new.submit("submit", status=303)
    filed = dbsession.scalars(select(CustomerRequest)).one()
    assert (filed.group_id, filed.priority) == (group.id, "high")
    assert timedelta(hours=11) < filed.due_at - utcnow() <= timedelta(hours=12)

    edit = admin_app.get(f"/admin/request-types/{rtype.id}/")
    assert "Requests filed of this type: 1." in edit.text
    form = edit.forms["request-type"]
    assert form["code"].value == "meter-check" and form["due_hours"].value == "12" and form["active"].checked
    form["name_en"], form["due_hours"] = "Meter inspection", "24"
    assert "has been saved" in form.submit("submit", status=303).follow().text
    assert offered_types(client, party) == ["Meter inspection"]
    assert fresh(dbsession, RequestType, rtype.id).due_hours == 24

    form = admin_app.get(f"/admin/request-types/{rtype.id}/").forms["request-type"]
    form["active"].checked = False
    form.submit("submit", status=303)
    assert fresh(dbsession, RequestType, rtype.id).active is False
    assert offered_types(client, party) == []
    assert "no request type is configured" in client.get(f"/p/{party.id}/requests/new").text
    # Requests already filed keep their type.
    assert "Meter inspection" in client.get(f"/p/{party.id}/requests/{filed.id}/").text
    assert "meter-check" in admin_app.get("/admin/request-types/?active=no").text
    assert "meter-check" not in admin_app.get("/admin/request-types/?active=yes").text

    assert audit_actions(dbsession, "request_type.") == [
        "request_type.create", "request_type.update", "request_type.update"]
    last = dbsession.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
    assert last.target == f"request_type:{rtype.id}" and last.detail["changes"] == {"active": [True, False]}
    assert last.actor_id is not None


def test_saving_an_unchanged_type_records_nothing(admin_app, dbsession):
    group = StaffGroupFactory()
    rtype = RequestTypeFactory(group_id=group.id)
    admin_app.get(f"/admin/request-types/{rtype.id}/").forms["request-type"].submit("submit", status=303)
    assert audit_actions(dbsession, "request_type.") == []


def test_duplicate_code_is_refused_and_nothing_changes(admin_app, dbsession):
    group = StaffGroupFactory()
    RequestTypeFactory(code="general", group_id=group.id)
    other = RequestTypeFactory(code="documents", group_id=group.id)
    before = count(dbsession, RequestType)

    form = fill_type_form(admin_app.get("/admin/request-types/new").forms["request-type"],
                          code="General", group_id=str(group.id))
    response = form.submit("submit", status=400)
    assert "A request type with the code “general” already exists. Choose another code." in error_text(response)
    assert response.forms["request-type"]["name_en"].value == "Meter check"  # what was typed stays
    assert count(dbsession, RequestType) == before

    form = admin_app.get(f"/admin/request-types/{other.id}/").forms["request-type"]
    form["code"], form["name_en"] = "general", "Renamed"
    response = form.submit("submit", status=400)
    assert "already exists" in error_text(response)
    unchanged = fresh(dbsession, RequestType, other.id)
    assert unchanged.code == "documents" and unchanged.names["en"] != "Renamed"
    assert audit_actions(dbsession, "request_type.") == []


@pytest.mark.parametrize("field,value,message", [
    ("due_hours", "0", "Enter a whole number of hours from 1 to 8760."),
    ("due_hours", "8761", "Enter a whole number of hours from 1 to 8760."),
    ("due_hours", str(10**30), "Enter a whole number of hours from 1 to 8760."),
    ("due_hours", "1.5", "is not a number"),
    ("code", "bad code!", "Use lowercase Latin letters, digits, hyphens and underscores"),
    ("code", "x" * 33, "A code has at most 32 characters."),
    ("name_en", "   ", "Required"),
    ("name_en", "x" * 201, "Longer than maximum length 200"),
    ("name_ru", "", "Required"),
    ("group_id", "", "Required"),
])
def test_bad_type_input_is_refused_clearly_and_nothing_is_created(admin_app, dbsession, field, value, message):
    group = StaffGroupFactory()
    form = fill_type_form(admin_app.get("/admin/request-types/new").forms["request-type"], group_id=str(group.id))
    form[field] = value
    response = form.submit("submit", status=400)
    assert message in error_text(response)
    assert count(dbsession, RequestType) == 0
    assert audit_actions(dbsession) == []


def test_type_errors_are_in_the_users_language(admin_app, dbsession):
    group = StaffGroupFactory()
    token = csrf_token(admin_app)
    admin_app.post("/language", {"csrf_token": token, "language": "ru", "next": "/"}, status=303)
    form = fill_type_form(admin_app.get("/admin/request-types/new").forms["request-type"],
                          group_id=str(group.id), name_ru="", due_hours="many")
    response = form.submit("submit", status=400)
    assert "Обязательное поле" in error_text(response) and "«many» — не число" in error_text(response)
    assert count(dbsession, RequestType) == 0


def test_a_type_needs_a_staff_group_to_exist_first(admin_app):
    page = admin_app.get("/admin/request-types/new")
    assert "request-type" not in page.forms
    link = page.html.select_one("p.empty a")
    assert link["href"].endswith("/admin/groups/")


def test_type_list_searches_filters_sorts_pages_and_exports(admin_app, dbsession):
    dispatch, office = StaffGroupFactory(name="Dispatch"), StaffGroupFactory(name="Office")
    for n in range(52):
        RequestTypeFactory(code=f"bulk-{n:02d}", group_id=dispatch.id, due_hours=n + 1)
    RequestTypeFactory(code="leak", names={"en": "Water leak", "ru": "Протечка"}, group_id=office.id,
                       default_priority="critical", active=False)

    first = admin_app.get("/admin/request-types/")
    codes = [a.text for a in first.html.select("table.list tbody td:first-child a")]
    assert len(codes) == 50 and codes[0] == "bulk-00" and "page 1 of 2" in first.text
    second = admin_app.get("/admin/request-types/?page=2")
    assert [a.text for a in second.html.select("table.list tbody td:first-child a")] == ["bulk-50", "bulk-51", "leak"]
    by_due = admin_app.get("/admin/request-types/?sort=-due")
    assert by_due.html.select_one("table.list tbody td a").text == "bulk-51"
    for sort in ("-priority", "-name", "-group", "active"):
        assert admin_app.get(f"/admin/request-types/?sort={sort}").html.select_one(
            "table.list tbody td a").text == "leak", sort
    assert [a.text for a in admin_app.get("/admin/request-types/?q=water").html.select(
        "table.list tbody td:first-child a")] == ["leak"]
    assert "bulk-00" not in admin_app.get(f"/admin/request-types/?group={office.id}").text
    assert "No request type matches the search." in admin_app.get("/admin/request-types/?q=nothing-like-it").text
    assert admin_app.get("/admin/request-types/?sort=bogus&page=-3&group=x&active=maybe").status_int == 200

    page = admin_app.get(f"/admin/request-types/?group={office.id}&sort=-code")
    export_url = page.html.select_one("p.export a")["href"]
    assert f"group={office.id}" in export_url and "sort=-code" in export_url
    rows = sheet_rows(admin_app.get(export_url))
    assert rows == [
        ["Code", "Name in English", "Name in Russian", "Responsible staff group", "Default priority",
         "Due time, hours", "Active"],
        ["leak", "Water leak", "Протечка", "Office", "Critical", 48, "no"],
    ]
    everything = sheet_rows(admin_app.get("/admin/request-types/export.xlsx?sort=code"))
    assert len(everything) == 1 + 53  # the whole list, not one page of it


# --- SLA -------------------------------------------------------------------------------
def test_sla_shows_the_defaults_and_an_edit_changes_the_next_tickets_due_time(admin_app, dbsession):
    start = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)  # a Monday
    assert due_at(dbsession, "high", start, UTC_CALENDAR) == start + timedelta(hours=24)

    page = admin_app.get("/admin/sla/")
    assert page.text.count("not configured: the default applies") == 4
    hours = [row.select("td")[1].text for row in page.html.select("table.list tbody tr")]
    assert hours == ["120", "72", "24", "4"]
    form = page.forms["sla"]
    assert [form.get("resolve_hours", index=i).value for i in range(4)] == ["120", "72", "24", "4"]

    form.set("resolve_hours", "6", index=2)  # high
    form.set("resolve_hours", "9", index=1)  # normal, in business hours
    form.get("business_hours", index=1).checked = True
    done = form.submit("submit", status=303).follow()
    assert "The SLA has been saved." in done.text
    assert "not configured" not in done.text
    dbsession.flush()
    assert {p.priority: (p.resolve_hours, p.business_hours) for p in dbsession.scalars(select(SlaPolicy))} == {
        "low": (120, False), "normal": (9, True), "high": (6, False), "critical": (4, False)}
    assert due_at(dbsession, "high", start, UTC_CALENDAR) == start + timedelta(hours=6)
    # Nine business hours from Monday 10:00 end on Tuesday 10:00.
    assert due_at(dbsession, "normal", start, UTC_CALENDAR) == datetime(2026, 3, 3, 10, 0, tzinfo=timezone.utc)

    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "sla.update")).one()
    assert entry.detail["changes"]["high"] == [None, [6, False, True]]
    assert entry.detail["changes"]["critical"] == [None, [4, False, False]]  # the defaults, now configured
    # Sending the same values again changes nothing and records nothing.
    again = admin_app.get("/admin/sla/").forms["sla"].submit("submit", status=303).follow()
    assert "Nothing has changed." in again.text
    assert audit_actions(dbsession, "sla.") == ["sla.update"]


def choice_boxes(form):
    return [form.get("customer_may_choose", index=i) for i in range(4)]


def test_which_priorities_customers_may_choose_is_a_setting_and_audited(admin_app, dbsession):
    page = admin_app.get("/admin/sla/")
    choices = [row.select_one("td.customer-choice").text for row in page.html.select("table.list tbody tr")]
    assert choices == ["yes", "yes", "yes", "no, staff only"]  # the defaults: critical is for staff to give
    form = page.forms["sla"]
    assert [box.checked for box in choice_boxes(form)] == [True, True, True, False]
    choice_boxes(form)[3].checked = True  # critical
    choice_boxes(form)[0].checked = False  # low
    form.submit("submit", status=303)
    dbsession.flush()
    assert {p.priority: p.customer_may_choose for p in dbsession.scalars(select(SlaPolicy))} == {
        "low": False, "normal": True, "high": True, "critical": True}
    form = admin_app.get("/admin/sla/").forms["sla"]
    choice_boxes(form)[0].checked = True
    form.submit("submit", status=303)
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "sla.update")
                              .order_by(AuditEntry.id.desc())).first()
    assert entry.detail["changes"] == {"low": [[120, False, False], [120, False, True]]}


def test_customers_must_keep_one_priority_to_choose(admin_app, dbsession):
    SlaPolicyFactory(priority="normal", resolve_hours=72, business_hours=False)
    form = admin_app.get("/admin/sla/").forms["sla"]
    for box in choice_boxes(form):
        box.checked = False
    response = form.submit("submit", status=400)
    assert "Customers must be able to choose at least one priority, or they could open no ticket." in response.text
    dbsession.flush()
    assert [(p.priority, p.customer_may_choose) for p in dbsession.scalars(select(SlaPolicy))] == [("normal", True)]
    assert audit_actions(dbsession) == []


@pytest.mark.parametrize("value,message", [
    ("0", "Enter a whole number of hours from 1 to 8760."),
    ("8761", "Enter a whole number of hours from 1 to 8760."),
    ("", "Required"),
])
def test_sla_out_of_range_is_refused_and_nothing_changes(admin_app, dbsession, value, message):
    SlaPolicyFactory(priority="critical", resolve_hours=4, business_hours=False)
    form = admin_app.get("/admin/sla/").forms["sla"]
    form.set("resolve_hours", "1", index=0)
    form.set("resolve_hours", value, index=3)
    response = form.submit("submit", status=400)
    assert message in error_text(response)
    dbsession.flush()
    assert [(p.priority, p.resolve_hours) for p in dbsession.scalars(select(SlaPolicy))] == [("critical", 4)]
    assert audit_actions(dbsession) == []


# --- staff groups ------------------------------------------------------------------------
def test_groups_are_created_renamed_and_names_stay_unique(admin_app, dbsession):
    StaffGroupFactory(name="Dispatch")
    form = admin_app.get("/admin/groups/new").forms["staff-group"]
    form["name"] = "  Metering  "
    page = form.submit("submit", status=303).follow()
    assert "The staff group “Metering” has been created." in page.text
    group = dbsession.scalars(select(StaffGroup).where(StaffGroup.name == "Metering")).one()

    form = admin_app.get("/admin/groups/new").forms["staff-group"]
    form["name"] = "dispatch"
    assert "A staff group named “dispatch” already exists." in error_text(form.submit("submit", status=400))
    form["name"] = ""
    assert "Required" in error_text(form.submit("submit", status=400))
    assert count(dbsession, StaffGroup) == 2

    form = admin_app.get(f"/admin/groups/{group.id}/").forms["rename-group"]
    form["name"] = "Dispatch"
    assert "already exists" in error_text(form.submit("submit", status=400))
    assert fresh(dbsession, StaffGroup, group.id).name == "Metering"
    form["name"] = "Meter readers"
    assert "renamed to “Meter readers”" in form.submit("submit", status=303).follow().text
    assert fresh(dbsession, StaffGroup, group.id).name == "Meter readers"

    listing = admin_app.get("/admin/groups/?q=meter")
    assert [a.text for a in listing.html.select("table.list tbody a")] == ["Meter readers"]
    rows = sheet_rows(admin_app.get(listing.html.select_one("p.export a")["href"]))
    assert rows == [["Name of the group", "Members", "Member names", "Request types"],
                    ["Meter readers", 0, None, None]]
    assert audit_actions(dbsession, "staff_group.") == ["staff_group.create", "staff_group.rename"]


def test_group_members_are_staff_only_and_can_be_removed(admin_app, dbsession):
    group = StaffGroupFactory(name="Dispatch")
    technician = staff("service", last_name="Technician")
    staff("backoffice", last_name="Clerk")
    outsider = customer(last_name="Outsider")
    blocked = staff("service", last_name="Gone", state="blocked")

    page = admin_app.get(f"/admin/groups/{group.id}/")
    assert "The group has no members yet" in page.text
    form = page.forms["add-member"]
    offered = [text for value, _sel, text in form["user_id"].options if value]
    assert any("Technician" in t for t in offered) and any("Clerk" in t for t in offered)
    assert not any("Outsider" in t or "Gone" in t for t in offered)
    form["user_id"] = str(technician.id)
    page = form.submit("submit", status=303).follow()
    assert "is now a member of the group" in page.text
    assert [td.text for td in page.html.select("table.list tbody td:first-child")] == [technician.full_name]
    assert [a.text for a in admin_app.get("/admin/groups/?sort=-members").html.select("table.list tbody a")] == [
        "Dispatch"]

    # A forged choice of a customer or a blocked member of staff is refused; nothing is added.
    token = page.forms["add-member"]["csrf_token"].value
    for user in (outsider, blocked, technician):
        response = admin_app.post(f"/admin/groups/{group.id}/add-member",
                                  {"csrf_token": token, "user_id": str(user.id)}, status=400)
        assert "is not one of" in error_text(response)
    dbsession.flush()
    assert dbsession.scalars(select(StaffGroupMember.user_id).where(StaffGroupMember.group_id == group.id)).all() \
        == [technician.id]

    remove = next(f for f in page.forms.values() if f.action.endswith("/remove-member"))
    page = remove.submit(status=303).follow()
    assert "is no longer a member of the group" in page.text
    assert count(dbsession, StaffGroupMember) == 0
    response = admin_app.post(f"/admin/groups/{group.id}/remove-member",
                              {"csrf_token": token, "user_id": str(technician.id)}, status=400)
    assert "This user is not a member of the group." in response.text
    assert audit_actions(dbsession, "staff_group.") == ["staff_group.add_member", "staff_group.remove_member"]
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "staff_group.add_member")).one()
    assert entry.target == f"staff_group:{group.id}" and entry.detail["login"] == technician.login


def test_membership_gives_the_member_the_groups_principal(admin_app, dbsession):
    """Membership is what the "group" role of the per-state ACLs names: the member's next request has it."""
    group = StaffGroupFactory()
    member = staff("service")
    assert group_principal(group.id) not in principals_for(load_identity(dbsession, member))
    form = admin_app.get(f"/admin/groups/{group.id}/").forms["add-member"]
    form["user_id"] = str(member.id)
    page = form.submit("submit", status=303).follow()
    assert group_principal(group.id) in principals_for(load_identity(dbsession, member))
    next(f for f in page.forms.values() if f.action.endswith("/remove-member")).submit(status=303)
    assert group_principal(group.id) not in principals_for(load_identity(dbsession, member))


def test_a_group_that_work_is_routed_to_cannot_be_deleted(admin_app, dbsession):
    routed = StaffGroupFactory(name="Routed")
    RequestTypeFactory(code="general", group_id=routed.id)
    RequestTypeFactory(code="documents", group_id=routed.id)
    page = admin_app.get(f"/admin/groups/{routed.id}/")
    response = page.forms["delete-group"].submit(status=400)
    assert ("The group cannot be deleted: request types are routed to it (documents, general). "
            "Route them to another group first.") in error_text(response)
    assert fresh(dbsession, StaffGroup, routed.id) is not None

    busy = StaffGroupFactory(name="Busy")
    other = StaffGroupFactory(name="Other")
    rtype = RequestTypeFactory(group_id=other.id)
    party = PartyFactory()
    dbsession.add(CustomerRequest(party_id=party.id, type_id=rtype.id, subject="Open one", body="x",
                                  state="in_progress", group_id=busy.id))
    response = admin_app.get(f"/admin/groups/{busy.id}/").forms["delete-group"].submit(status=400)
    assert "1 open requests or tickets are routed to it" in error_text(response)
    assert audit_actions(dbsession) == []

    empty = StaffGroupFactory(name="Empty")
    StaffGroupMemberFactory(group_id=empty.id, user_id=staff("service").id)
    listing = admin_app.get(f"/admin/groups/{empty.id}/").forms["delete-group"].submit(status=303).follow()
    assert "The staff group “Empty” has been deleted." in listing.text
    assert fresh(dbsession, StaffGroup, empty.id) is None
    assert count(dbsession, StaffGroupMember) == 0
    assert audit_actions(dbsession) == ["staff_group.delete"]


# --- who may: admins only, every change audited, reachable from the navigation ----------
def admin_urls(group, rtype):
    gets = ["/admin/request-types/", "/admin/request-types/new", f"/admin/request-types/{rtype.id}/",
            "/admin/request-types/export.xlsx", "/admin/sla/", "/admin/groups/", "/admin/groups/new",
            f"/admin/groups/{group.id}/", "/admin/groups/export.xlsx"]
    posts = {
        "/admin/request-types/new": {"code": "forged", "name_en": "Forged", "name_ru": "Подделка",
                                     "group_id": str(group.id), "default_priority": "low", "due_hours": "1"},
        f"/admin/request-types/{rtype.id}/": {"code": "forged", "name_en": "Forged", "name_ru": "Подделка",
                                              "group_id": str(group.id), "default_priority": "low", "due_hours": "1"},
        "/admin/sla/": {"resolve_hours": "1"},
        "/admin/groups/new": {"name": "Forged"},
        f"/admin/groups/{group.id}/rename": {"name": "Forged"},
        f"/admin/groups/{group.id}/add-member": {"user_id": "1"},
        f"/admin/groups/{group.id}/remove-member": {"user_id": "1"},
        f"/admin/groups/{group.id}/delete": {},
    }
    return gets, posts


@pytest.mark.parametrize("role", ["backoffice", "service", "manager", "head", None])
def test_everyone_but_admins_is_refused_every_admin_url(testapp, dbsession, role):
    group = StaffGroupFactory(name="Dispatch")
    rtype = RequestTypeFactory(code="general", group_id=group.id)
    member = staff("service")
    StaffGroupMemberFactory(group_id=group.id, user_id=member.id)
    user = staff(role) if role else customer()
    login(testapp, user.login)
    nav = testapp.get("/account/")
    assert "Settings" not in [a.text for a in nav.html.select("nav.nav a")]
    token = csrf_token(testapp)
    gets, posts = admin_urls(group, rtype)
    for url in gets:
        testapp.get(url, status=403)
    for url, fields in posts.items():
        testapp.post(url, dict(fields, csrf_token=token), status=403)
    dbsession.flush()
    dbsession.expire_all()
    assert [t.code for t in dbsession.scalars(select(RequestType))] == ["general"]
    assert [g.name for g in dbsession.scalars(select(StaffGroup))] == ["Dispatch"]
    assert count(dbsession, StaffGroupMember) == 1 and count(dbsession, SlaPolicy) == 0
    assert audit_actions(dbsession) == []


def test_anonymous_visitors_are_sent_to_log_in(testapp):
    group = StaffGroupFactory()
    rtype = RequestTypeFactory(group_id=group.id)
    gets, _posts = admin_urls(group, rtype)
    for url in gets:
        assert "/login" in testapp.get(url, status=303).location


def test_unknown_and_impossible_ids_are_404_or_refused_never_a_500(admin_app, dbsession):
    # Past 2**31 - 1 PostgreSQL refuses to compare an INTEGER column: such ids must not reach it.
    for url in ("/admin/request-types/999999/", "/admin/request-types/abc/", "/admin/groups/999999/",
                "/admin/groups/1e3/", "/admin/groups/0/", f"/admin/groups/{2**31}/", f"/admin/groups/{2**63}/",
                f"/admin/request-types/{2**31}/"):
        admin_app.get(url, status=404)
    assert admin_app.get(f"/admin/request-types/?group={2**31}").status_int == 200  # an impossible filter is ignored
    group = StaffGroupFactory()
    token = csrf_token(admin_app)
    for user_id in (str(2**31), "-1", "x", ""):
        response = admin_app.post(f"/admin/groups/{group.id}/remove-member",
                                  {"csrf_token": token, "user_id": user_id}, status=400)
        assert "This user is not a member of the group." in response.text
        response = admin_app.post(f"/admin/groups/{group.id}/add-member",
                                  {"csrf_token": token, "user_id": user_id}, status=400)
    assert audit_actions(dbsession) == []


def test_settings_are_in_the_admin_navigation_and_changes_in_the_audit_log(admin_app, dbsession):
    home = admin_app.get("/account/")
    settings = next(a for a in home.html.select("nav.nav a") if a.text == "Settings")
    assert settings["href"].endswith("/admin/request-types/")
    page = admin_app.get(settings["href"])
    sub = {a.text: a["href"] for a in page.html.select("main nav.nav a")}
    assert set(sub) == {"Request types", "SLA", "Staff groups", "Messages", "Customer groups"}
    assert page.html.select_one("main nav.nav a[aria-current=page]").text == "Request types"
    current = admin_app.get(sub["SLA"]).html.select_one("header nav.nav a[aria-current=page]")
    assert current.text == "Settings"

    form = admin_app.get(sub["Staff groups"]).click("New staff group").forms["staff-group"]
    form["name"] = "Audited"
    form.submit("submit", status=303)
    admin_app.get("/admin/sla/").forms["sla"].submit("submit", status=303)
    audit = admin_app.get("/admin/audit")
    assert "staff_group.create" in audit.text and "sla.update" in audit.text and "root-admin" in audit.text
