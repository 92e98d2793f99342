"""The service queue and the staff dashboard: scoping, order, overdue, bulk assignment, counts, access."""
import io
from datetime import timedelta
from types import SimpleNamespace

import openpyxl
import pytest
import webtest
from sqlalchemy import select

from portal.db.meta import utcnow
from portal.workflows.due import today_bounds
from portal.workflows.models import WorkflowHistory
from tests.conftest import csrf_token, login
from tests.factories import ManagerAssignmentFactory, PartyFactory, StaffGroupFactory, customer, staff
from tests.factories.workflow_items import ChangeRequestFactory, CustomerRequestFactory, ServiceTicketFactory


@pytest.fixture
def data(app, dbsession):
    """Two parties, two groups, and items whose due times fall before, within and after today."""
    now = utcnow()
    start, end = today_bounds(app.registry["portal_tz"], now)
    today = now + (end - now) / 2  # later today: due today, not overdue
    alpha, beta = PartyFactory(name="Alpha Managed"), PartyFactory(name="Beta Other")
    dispatch, metering = StaffGroupFactory(name="Dispatch"), StaffGroupFactory(name="Metering")
    d = SimpleNamespace(alpha=alpha, beta=beta, dispatch=dispatch, metering=metering)
    d.tech1 = staff("service", group=dispatch, last_name="Tech-One")
    d.tech2 = staff("service", group=metering, last_name="Tech-Two")
    d.manager = staff("manager", last_name="Manager")
    ManagerAssignmentFactory(user_id=d.manager.id, party_id=alpha.id)
    d.head, d.clerk, d.admin = staff("head"), staff("backoffice", last_name="Clerk"), staff("admin")
    d.customer = customer(alpha)
    tickets = dict(
        t1=dict(party=alpha, state="new", priority="critical", group_id=dispatch.id, due_at=today),
        t2=dict(party=beta, state="in_progress", assignee_id=d.tech1.id, group_id=dispatch.id,
                due_at=start - timedelta(hours=1)),
        t3=dict(party=alpha, state="resolved", due_at=start - timedelta(hours=5)),
        t4=dict(party=beta, state="new", due_at=end + timedelta(hours=40)),
    )
    requests = dict(
        r1=dict(party=alpha, state="new", priority="high", group_id=metering.id, due_at=today),
        r2=dict(party=beta, state="waiting", assignee_id=d.tech2.id, group_id=metering.id,
                due_at=end + timedelta(hours=6)),
        r3=dict(party=beta, state="closed", due_at=start - timedelta(hours=3)),
        r4=dict(party=beta, state="in_progress", assignee_id=d.manager.id, due_at=end + timedelta(hours=26)),
    )
    for name, values in tickets.items():
        setattr(d, name, ServiceTicketFactory(subject=f"Ticket {name}", **values))
    for name, values in requests.items():
        setattr(d, name, CustomerRequestFactory(subject=f"Request {name}", **values))
    ChangeRequestFactory(party=alpha, state="submitted")
    ChangeRequestFactory(party=beta, state="approved")
    return d


def browser(app, testapp, user):
    b = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(b, user.login)
    return b


def queue_subjects(page):
    return [a.text for a in page.html.select("table.list tbody td a")]


def overdue_subjects(page):
    return [row.select_one("td a").text for row in page.html.select("table.list tbody tr")
            if "overdue" in (row.get("class") or [])]


# --- the queue ---------------------------------------------------------------------------------------
def test_all_open_items_by_due_time_then_priority(testapp, data):
    login(testapp, data.tech1.login)
    page = testapp.get("/service/")
    # Overdue first; at the same due time the critical ticket before the high request; nothing resolved.
    assert queue_subjects(page) == ["Ticket t2", "Ticket t1", "Request r1", "Request r2", "Request r4", "Ticket t4"]
    assert overdue_subjects(page) == ["Ticket t2"]
    assert "Beta Other" in page.text and "Alpha Managed" in page.text


@pytest.mark.parametrize("who,scope,expected", [
    ("tech1", "mine", ["Ticket t2"]),
    ("tech1", "group", ["Ticket t2", "Ticket t1"]),
    ("tech2", "mine", ["Request r2"]),
    ("tech2", "group", ["Request r1", "Request r2"]),
    ("head", "mine", []),
    ("head", "group", []),
    ("manager", "all", ["Ticket t1", "Request r1"]),
    ("manager", "mine", []),  # r4 is his but on a party he does not manage: never shown to him
    ("clerk", "all", ["Ticket t2", "Ticket t1", "Request r1", "Request r2", "Request r4", "Ticket t4"]),
])
def test_queue_scopes(testapp, data, who, scope, expected):
    login(testapp, getattr(data, who).login)
    page = testapp.get(f"/service/?scope={scope}")
    assert queue_subjects(page) == expected
    if not expected:
        assert "The queue is empty" in page.text


def test_manager_never_sees_another_party(testapp, data):
    login(testapp, data.manager.login)
    for query in ("", "?scope=mine", "?state=closed", "?state=in_progress", "?due=overdue", "?kind=request"):
        page = testapp.get("/service/" + query)
        assert "Beta Other" not in page.text
    rows = sheet_rows(testapp.get("/service/export.xlsx?state=closed"))
    assert rows == [rows[0]]


@pytest.mark.parametrize("query,expected", [
    ("kind=ticket", ["Ticket t2", "Ticket t1", "Ticket t4"]),
    ("kind=request&priority=high", ["Request r1"]),
    ("state=resolved", ["Ticket t3"]),
    ("state=waiting", ["Request r2"]),
    ("state=waiting&kind=ticket", []),
    ("due=overdue", ["Ticket t2"]),
    ("due=today", ["Ticket t1", "Request r1"]),
    ("sort=-due", ["Ticket t4", "Request r4", "Request r2", "Ticket t1", "Request r1", "Ticket t2"]),
    ("sort=party&kind=ticket", ["Ticket t1", "Ticket t2", "Ticket t4"]),
    ("scope=everything&kind=x&state=bogus&priority=urgent&due=never&sort=nope&page=-3",
     ["Ticket t2", "Ticket t1", "Request r1", "Request r2", "Request r4", "Ticket t4"]),
])
def test_queue_filters(testapp, data, query, expected):
    login(testapp, data.tech1.login)
    assert queue_subjects(testapp.get("/service/?" + query)) == expected


def sheet_rows(response):
    assert response.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    book = openpyxl.load_workbook(io.BytesIO(response.body))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_export_is_the_queue_as_listed(testapp, data):
    login(testapp, data.tech1.login)
    page = testapp.get("/service/?scope=group&sort=due")
    link = page.html.select_one("p.export a")["href"]
    rows = sheet_rows(testapp.get(link))
    assert rows[0][:5] == ["Kind", "#", "Party", "Subject", "State"]
    assert [r[3] for r in rows[1:]] == queue_subjects(page) == ["Ticket t2", "Ticket t1"]
    assert rows[1][:3] == ["Service ticket", data.t2.id, "Beta Other"]
    assert rows[1][8] == data.tech1.full_name


# --- bulk assignment ---------------------------------------------------------------------------------
def reload(dbsession, *items):
    dbsession.flush()
    dbsession.expire_all()
    return [dbsession.get(type(i), i.id) for i in items]


def bulk_form(page, keys, assignee):
    form = page.forms["bulk-assign"]
    for box in form.fields["item"]:
        box.checked = box._value in keys
    form["assignee_id"] = str(assignee.id)
    return form


def test_bulk_assign_assigns_what_it_may_and_names_the_rest(testapp, dbsession, data):
    login(testapp, data.tech1.login)
    page = testapp.get("/service/?kind=ticket")
    keys = {f"ticket-{data.t1.id}", f"ticket-{data.t2.id}", f"ticket-{data.t4.id}"}
    response = bulk_form(page, keys, data.tech2).submit(status=303)
    assert response.location.endswith("/service/?kind=ticket")
    page = response.follow()
    assert f"Assigned to Tech-Two Test: Service ticket #{data.t1.id}, Service ticket #{data.t4.id}." in page.text \
        or f"Assigned to Tech-Two Test: Service ticket #{data.t4.id}, Service ticket #{data.t1.id}." in page.text
    assert f"Not assigned (not possible in its current state, or not allowed for you): Service ticket #{data.t2.id}." \
        in page.text
    t1, t2, t4 = reload(dbsession, data.t1, data.t2, data.t4)
    assert (t1.state, t1.assignee_id) == ("assigned", data.tech2.id)
    assert (t4.state, t4.assignee_id) == ("assigned", data.tech2.id)
    assert (t2.state, t2.assignee_id) == ("in_progress", data.tech1.id)  # in progress: left as it was
    history = dbsession.scalars(select(WorkflowHistory.item_id).where(
        WorkflowHistory.workflow == "service_ticket", WorkflowHistory.transition == "assign")).all()
    assert sorted(history) == sorted([data.t1.id, data.t4.id])


def test_bulk_assign_checks_each_items_own_permission(testapp, dbsession, data):
    # The back office handles requests but not tickets.
    login(testapp, data.clerk.login)
    page = testapp.get("/service/")
    page = bulk_form(page, {f"ticket-{data.t1.id}", f"request-{data.r1.id}"}, data.clerk).submit().follow()
    assert f"Assigned to Clerk Test: Request #{data.r1.id}." in page.text
    assert f"or not allowed for you): Service ticket #{data.t1.id}." in page.text
    t1, r1 = reload(dbsession, data.t1, data.r1)
    assert (t1.state, t1.assignee_id) == ("new", None)
    assert (r1.state, r1.assignee_id) == ("assigned", data.clerk.id)


def test_a_manager_cannot_bulk_assign_another_partys_items_by_forging_the_post(testapp, dbsession, data):
    login(testapp, data.manager.login)
    token = csrf_token(testapp)
    page = testapp.post("/service/assign", [
        ("csrf_token", token), ("item", f"ticket-{data.t1.id}"), ("item", f"ticket-{data.t4.id}"),
        ("item", "ticket-99999999"), ("item", "ticket-999999999999999999"), ("item", "order-1"),
        ("assignee_id", str(data.manager.id)),
    ]).follow()
    assert f"Assigned to Manager Test: Service ticket #{data.t1.id}." in page.text
    assert (f"Service ticket #{data.t4.id}, Service ticket #99999999, Service ticket #999999999999999999, "
            "order-1.") in page.text
    assert "Beta Other" not in page.text
    t1, t4 = reload(dbsession, data.t1, data.t4)
    assert t1.assignee_id == data.manager.id and (t4.state, t4.assignee_id) == ("new", None)


def test_head_sees_the_queue_but_may_assign_nothing(testapp, dbsession, data):
    login(testapp, data.head.login)
    page = testapp.get("/service/")
    page = bulk_form(page, {f"ticket-{data.t1.id}", f"request-{data.r1.id}"}, data.tech1).submit().follow()
    assert "Assigned to" not in page.text and "Not assigned" in page.text
    assert [i.state for i in reload(dbsession, data.t1, data.r1)] == ["new", "new"]


@pytest.mark.parametrize("fields,message", [
    ([("assignee_id", "TECH1")], "Select at least one item to assign."),
    ([("item", "T1"), ("assignee_id", "")], "Choose whom to assign it to."),
    ([("item", "T1"), ("assignee_id", "CUSTOMER")], "Choose whom to assign it to."),
    ([("item", "T1"), ("assignee_id", "abc")], "Choose whom to assign it to."),
    ([("item", "T1")] + [("item", f"ticket-{n}") for n in range(1, 202)] + [("assignee_id", "TECH1")],
     "Select at most 200 items at once."),
])
def test_bulk_assign_bad_input_changes_nothing(testapp, dbsession, data, fields, message):
    login(testapp, data.tech1.login)
    names = {"T1": f"ticket-{data.t1.id}", "TECH1": str(data.tech1.id), "CUSTOMER": str(data.customer.id)}
    body = [("csrf_token", csrf_token(testapp))] + [(k, names.get(v, v)) for k, v in fields]
    answer = testapp.post("/service/assign?kind=ticket", body, status=303)
    assert answer.location.startswith("http://localhost/service/?kind=ticket")  # a page a reload shows again
    page = answer.follow()
    assert message in page.text
    assert queue_subjects(page) == ["Ticket t2", "Ticket t1", "Ticket t4"]  # the queue as it was filtered
    assert reload(dbsession, data.t1)[0].state == "new"


def test_bulk_assign_with_nothing_selected_keeps_the_chosen_assignee(testapp, dbsession, data):
    login(testapp, data.tech1.login)
    body = [("csrf_token", csrf_token(testapp)), ("assignee_id", str(data.tech2.id))]
    page = testapp.post("/service/assign?kind=ticket&scope=all", body, status=303).follow()
    assert "Select at least one item to assign." in page.text
    chosen = page.html.select_one('#bulk-assign select[name="assignee_id"] option[selected]')
    assert chosen is not None and chosen["value"] == str(data.tech2.id)


def test_bulk_assign_needs_the_csrf_token(testapp, dbsession, data):
    login(testapp, data.tech1.login)
    testapp.post("/service/assign", [("item", f"ticket-{data.t1.id}"), ("assignee_id", str(data.tech1.id))],
                 status=400)
    testapp.post("/service/assign", [("csrf_token", "forged"), ("item", f"ticket-{data.t1.id}"),
                                     ("assignee_id", str(data.tech1.id))], status=400)
    assert reload(dbsession, data.t1)[0].state == "new"


# --- the dashboard -----------------------------------------------------------------------------------
def counts(page, kind):
    section = page.html.select_one(f"#counts-{kind}")
    result = {}
    for dd in section.select("dd.count"):
        name = [c for c in dd["class"] if c.startswith("count-")][0][len("count-"):]
        result[name] = int(dd.text.strip())
    return result


def test_dashboard_counts_every_party_for_the_head(testapp, data):
    login(testapp, data.head.login)
    page = testapp.get("/dashboard/")
    assert counts(page, "ticket") == {
        "overdue": 1, "today": 1, "state-new": 2, "state-assigned": 0, "state-in_progress": 1,
        "state-on_hold": 0, "state-resolved": 1, "state-closed": 0, "total": 4,
    }
    assert counts(page, "request") == {
        "overdue": 0, "today": 1, "state-new": 1, "state-assigned": 0, "state-in_progress": 1,
        "state-waiting": 1, "state-resolved": 0, "state-closed": 1, "total": 4,
    }
    assert counts(page, "change") == {
        "state-draft": 0, "state-submitted": 1, "state-approved": 1, "state-applied": 0, "state-rejected": 0,
        "state-withdrawn": 0, "total": 2,
    }


def test_dashboard_counts_only_the_managers_parties(testapp, data):
    login(testapp, data.manager.login)
    page = testapp.get("/dashboard/")
    assert counts(page, "ticket")["state-new"] == 1 and counts(page, "ticket")["total"] == 2
    assert counts(page, "ticket")["overdue"] == 0 and counts(page, "ticket")["today"] == 1
    assert counts(page, "request")["total"] == 1
    assert counts(page, "change")["total"] == 1


def test_each_count_links_to_the_queue_showing_as_many(testapp, data):
    login(testapp, data.tech1.login)
    page = testapp.get("/dashboard/")
    links = page.html.select("#counts-ticket dd.count a") + page.html.select("#counts-request dd.count a")
    assert len(links) == 2 * 2 + 6 + 6  # overdue and today, and every state, for both kinds
    for link in links:
        listed = testapp.get(link["href"])
        total = int(listed.html.select_one("nav.pager span.muted").text.split("of")[1]) if listed.html.select_one(
            "nav.pager") else 0
        assert total == int(link.text), link["href"]


def test_waiting_change_requests_link_to_the_back_office(testapp, data):
    login(testapp, data.manager.login)
    page = testapp.get("/dashboard/")
    [link] = page.html.select("#counts-change dd.count a")
    assert "count-state-submitted" in link.parent["class"] and link.text == "1"
    assert link["href"].rstrip("/").endswith("/backoffice")
    assert "Alpha Managed" in testapp.get(link["href"]).text
    testapp.reset()
    login(testapp, data.tech1.login)  # the service role has no back office
    assert not testapp.get("/dashboard/").html.select("#counts-change dd.count a")


def test_admin_sees_the_dashboard_without_queue_links(testapp, data):
    login(testapp, data.admin.login)
    page = testapp.get("/dashboard/")
    assert counts(page, "ticket")["total"] == 4
    assert not page.html.select("dd.count a")
    testapp.get("/service/", status=403)


# --- access and navigation ---------------------------------------------------------------------------
def test_customers_are_kept_out_of_the_staff_areas(testapp, data):
    login(testapp, data.customer.login)
    for url in ("/service/", "/service/export.xlsx", "/dashboard/"):
        response = testapp.get(url, status=(403, 404))
        assert "Ticket t1" not in response.text and "Beta Other" not in response.text
    testapp.post("/service/assign", [("csrf_token", csrf_token(testapp)), ("item", f"ticket-{data.t1.id}"),
                                     ("assignee_id", str(data.tech1.id))], status=(403, 404))
    nav = [a.text for a in testapp.get("/account/").html.select("nav.nav a")]
    assert "Queue" not in nav and "Dashboard" not in nav


def test_anonymous_users_are_sent_to_log_in(testapp, data):
    for url in ("/service/", "/dashboard/"):
        assert "/login" in testapp.get(url, status=303).location


@pytest.mark.parametrize("who,expected", [
    ("tech1", ["Queue", "Dashboard"]),
    ("manager", ["Queue", "Dashboard"]),
    ("head", ["Queue", "Dashboard"]),
    ("admin", ["Dashboard"]),
])
def test_staff_navigation_shows_the_areas_the_acl_allows(testapp, data, who, expected):
    login(testapp, getattr(data, who).login)
    nav = [a.text for a in testapp.get("/account/").html.select("nav.nav a")]
    assert [n for n in nav if n in ("Queue", "Dashboard")] == expected
