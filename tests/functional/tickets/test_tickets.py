"""Service tickets through HTTP: priority and SLA, the staff path, the customer path, overdue, isolation."""
import io
from datetime import timedelta, timezone

import openpyxl
import pytest
import webtest
from sqlalchemy import func, select

from portal.attachments.models import Attachment
from portal.db.meta import utcnow
from portal.tickets.models import ServiceTicket
from portal.tickets.sla import BusinessCalendar
from portal.workflows.models import WorkflowHistory
from tests.conftest import login
from tests.factories import PartyFactory, SlaPolicyFactory, customer, staff
from tests.factories.workflow_items import ServiceTicketFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def setup(dbsession):
    party = PartyFactory(name="Ticketing Co")
    other = PartyFactory(name="Bystander Ltd")
    return {
        "party": party, "other": other,
        "customer": customer(party, last_name="Customer"), "outsider": customer(other),
        "tech": staff("service", last_name="Technician"),
    }


def another(app, testapp, login_name):
    """A second browser, logged in as ``login_name``, sharing the test's transaction."""
    browser = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(browser, login_name)
    return browser


def open_ticket(testapp, party, subject="Boiler is leaking", body="Water on the floor.", priority="normal",
                upload=None, status="*"):
    page = testapp.get(f"/p/{party.id}/tickets/new")
    form = page.forms["new-ticket"]
    form["subject"] = subject
    form["body"] = body
    form["priority"].force_value(priority)
    if upload:
        form["upload"] = webtest.Upload(*upload)
    return form.submit("submit", status=status)


def the_ticket(dbsession) -> ServiceTicket:
    dbsession.flush()
    dbsession.expire_all()
    return dbsession.scalars(select(ServiceTicket)).one()


def act(testapp, url, transition, status=303, **fields):
    page = testapp.get(url)
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == transition)
    for name, value in fields.items():
        form[name] = value
    return form.submit(status=status)


def transitions_offered(testapp, url):
    page = testapp.get(url)
    return {f["transition"].value for f in page.forms.values() if "transition" in f.fields}


# --- opening a ticket: priority sets the due time -------------------------------------------------
def test_critical_ticket_is_due_after_the_around_the_clock_sla(testapp, dbsession, setup):
    SlaPolicyFactory(priority="critical", resolve_hours=4, business_hours=False)
    login(testapp, setup["customer"].login)
    response = open_ticket(testapp, setup["party"], priority="critical")
    assert response.status_int == 303
    item = the_ticket(dbsession)
    assert (item.state, item.priority, item.party_id) == ("new", "critical", setup["party"].id)
    assert item.due_at - item.created_at == timedelta(hours=4)
    assert timedelta(0) <= utcnow() - item.created_at < timedelta(minutes=5)
    page = response.follow()
    assert f"Your ticket #{item.id} has been opened. It is due by" in page.text
    assert "Critical" in page.text and "created it" in page.text and "Boiler is leaking" in page.text


def test_low_ticket_is_due_in_business_hours(testapp, dbsession, setup):
    SlaPolicyFactory(priority="low", resolve_hours=20, business_hours=True)
    login(testapp, setup["customer"].login)
    open_ticket(testapp, setup["party"], priority="low", status=303)
    item = the_ticket(dbsession)
    calendar = BusinessCalendar()  # the test settings: UTC, 9-18 on weekdays
    assert item.due_at == calendar.add(item.created_at, 20)
    # 20 working hours are more than two working days of 9 hours, whenever the ticket was opened.
    assert item.due_at - item.created_at > timedelta(hours=40)
    local = item.due_at.astimezone(timezone.utc)
    assert local.weekday() < 5 and (9, 0) < (local.hour, local.minute) <= (18, 0)


def test_a_priority_without_a_policy_gets_the_default_hours(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    open_ticket(testapp, setup["party"], priority="high", status=303)
    item = the_ticket(dbsession)
    assert item.due_at - item.created_at == timedelta(hours=24)


def offered(testapp, party):
    page = testapp.get(f"/p/{party.id}/tickets/new")
    return page, [(o["value"], o.text) for o in page.html.select("select[name=priority] option")]


def test_the_form_offers_the_priorities_customers_may_choose_with_their_hours(testapp, setup):
    login(testapp, setup["customer"].login)
    page, options = offered(testapp, setup["party"])
    assert options == [("low", "Low — resolved within 120 h"), ("normal", "Normal — resolved within 72 h"),
                       ("high", "High — resolved within 24 h")]  # critical is for staff unless allowed
    assert page.forms["new-ticket"]["priority"].value == "normal"
    assert page.html.select_one("p.business-hours") is None  # nothing is counted in business hours


def test_business_hours_are_said_so_and_an_allowed_critical_is_offered(testapp, setup):
    SlaPolicyFactory(priority="low", resolve_hours=20, business_hours=True)
    SlaPolicyFactory(priority="normal", resolve_hours=72, business_hours=False, customer_may_choose=False)
    SlaPolicyFactory(priority="critical", resolve_hours=2, business_hours=False, customer_may_choose=True)
    login(testapp, setup["customer"].login)
    page, options = offered(testapp, setup["party"])
    assert options == [("low", "Low — resolved within 20 business hours"), ("high", "High — resolved within 24 h"),
                       ("critical", "Critical — resolved within 2 h")]
    assert page.forms["new-ticket"]["priority"].value == "low"  # normal is not offered: the first one is
    assert "Business hours: 09:00–18:00, Monday to Friday, time zone UTC." in page.html.select_one(
        "p.business-hours").text


def test_a_customer_cannot_open_a_ticket_at_a_priority_not_offered(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    response = open_ticket(testapp, setup["party"], priority="critical")  # forced into the form's select
    assert response.status_int == 400
    assert "The priority “Critical” is not open to choose here; choose one of those offered." in response.text
    token = testapp.get(f"/p/{setup['party'].id}/tickets/new").forms["new-ticket"]
    forged = {name: token[name].value for name in ("csrf_token", "form_token")}
    forged.update(subject="Forged by hand", body="Critical, please.", priority="critical", submit="submit")
    response = testapp.post(f"/p/{setup['party'].id}/tickets/new", forged, status=400)
    assert "is not open to choose here" in response.text
    assert dbsession.scalar(select(func.count()).select_from(ServiceTicket)) == 0


def test_staff_are_offered_every_priority(app, testapp, dbsession, setup):
    from tests.factories import MembershipFactory

    dispatcher = staff("service", last_name="Dispatcher")
    MembershipFactory(user=dispatcher, party=setup["party"], state="active")  # so he may open one for it
    browser = another(app, testapp, dispatcher.login)
    _page, options = offered(browser, setup["party"])
    assert [value for value, _label in options] == ["low", "normal", "high", "critical"]
    open_ticket(browser, setup["party"], priority="critical", status=303)
    assert the_ticket(dbsession).priority == "critical"


@pytest.mark.parametrize("subject,body,priority,message", [
    ("", "text", "normal", "Required"),
    ("   ", "text", "normal", "Required"),
    ("x" * 201, "text", "normal", "Longer than maximum length 200"),
    ("Subject", "", "normal", "Required"),
    ("Subject", "text", "urgent", "is not one of"),
])
def test_bad_input_is_refused_with_a_form_error(testapp, dbsession, setup, subject, body, priority, message):
    login(testapp, setup["customer"].login)
    response = open_ticket(testapp, setup["party"], subject=subject, body=body, priority=priority)
    assert response.status_int == 400 and message in response.text
    assert dbsession.scalar(select(func.count()).select_from(ServiceTicket)) == 0


@pytest.mark.parametrize("name,content,message", [
    ("fake.pdf", b"MZ\x90\x00 this is an exe", "does not match its extension"),
    ("script.exe", b"MZ\x90\x00", "not accepted"),
])
def test_bad_attachments_are_refused_and_nothing_is_opened(testapp, dbsession, setup, name, content, message):
    login(testapp, setup["customer"].login)
    response = open_ticket(testapp, setup["party"], upload=(name, content))
    assert response.status_int == 400 and message in response.text
    assert dbsession.scalar(select(func.count()).select_from(ServiceTicket)) == 0
    assert dbsession.scalar(select(func.count()).select_from(Attachment)) == 0


def test_the_attachment_is_kept_listed_and_downloadable(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    page = open_ticket(testapp, setup["party"], upload=("photo.pdf", PDF), status=303).follow()
    attachment = dbsession.scalars(select(Attachment)).one()
    assert attachment.owner_type == "service_ticket" and attachment.owner_id == the_ticket(dbsession).id
    link = page.html.select_one("section.attachments a")
    assert link.text == "photo.pdf"
    assert testapp.get(link["href"]).body == PDF


# --- working a ticket -------------------------------------------------------------------------------
def test_staff_work_a_ticket_and_the_customer_confirms(testapp, app, dbsession, setup):
    login(testapp, setup["customer"].login)
    open_ticket(testapp, setup["party"], status=303)
    item = the_ticket(dbsession)
    url = f"/p/{setup['party'].id}/tickets/{item.id}/"
    assert transitions_offered(testapp, url) == set()  # the customer cannot take a new ticket's steps
    tech = another(app, testapp, setup["tech"].login)
    assert transitions_offered(tech, url) == {"assign"}
    act(tech, url, "assign", assignee_id=str(setup["tech"].id))
    act(tech, url, "start")
    act(tech, url, "hold", comment="Waiting for a spare part.")
    assert transitions_offered(tech, url) == {"resume"}
    act(tech, url, "resume")
    act(tech, url, "resolve", comment="Seal replaced.")
    assert transitions_offered(testapp, url) == {"confirm", "reopen"}
    page = act(testapp, url, "confirm").follow()
    assert "Closed" in page.text and "Waiting for a spare part." in page.text
    item = the_ticket(dbsession)
    assert item.state == "closed" and item.assignee_id == setup["tech"].id
    assert item.resolved_at is not None and item.closed_at is not None
    history = dbsession.scalars(select(WorkflowHistory.transition)
                                .where(WorkflowHistory.workflow == "service_ticket", WorkflowHistory.item_id == item.id)
                                .order_by(WorkflowHistory.id)).all()
    assert history == ["create", "assign", "start", "hold", "resume", "resolve", "confirm"]


def test_the_customer_reopens_a_resolved_ticket_with_a_reason(testapp, app, dbsession, setup):
    login(testapp, setup["customer"].login)
    open_ticket(testapp, setup["party"], status=303)
    item = the_ticket(dbsession)
    url = f"/p/{setup['party'].id}/tickets/{item.id}/"
    tech = another(app, testapp, setup["tech"].login)
    act(tech, url, "assign", assignee_id=str(setup["tech"].id))
    act(tech, url, "start")
    act(tech, url, "resolve", comment="Done.")
    page = act(testapp, url, "reopen", comment="   ").follow()
    assert "Please give a reason." in page.text and the_ticket(dbsession).state == "resolved"
    act(testapp, url, "reopen", comment="Still leaking.")
    item = the_ticket(dbsession)
    assert item.state == "in_progress" and item.resolved_at is None


def test_an_assignee_without_the_service_role_handles_only_while_assigned(testapp, app, dbsession, setup):
    clerk = staff("backoffice", last_name="Clerk")
    ticket = ServiceTicketFactory(party=setup["party"])
    url = f"/p/{setup['party'].id}/tickets/{ticket.id}/"
    clerk_app = another(app, testapp, clerk.login)
    assert transitions_offered(clerk_app, url) == set()
    tech = another(app, testapp, setup["tech"].login)
    act(tech, url, "assign", assignee_id=str(clerk.id))
    assert transitions_offered(clerk_app, url) == {"assign", "start"}
    act(clerk_app, url, "start")
    act(clerk_app, url, "resolve", comment="Sorted.")
    assert transitions_offered(clerk_app, url) == set()  # resolved: the assignee's rights end
    assert the_ticket(dbsession).state == "resolved"


def test_the_customer_cannot_take_staff_steps_by_forging_the_post(testapp, dbsession, setup):
    login(testapp, setup["customer"].login)
    open_ticket(testapp, setup["party"], status=303)
    item = the_ticket(dbsession)
    url = f"/p/{setup['party'].id}/tickets/{item.id}/"
    token = testapp.get(url).forms[0]["csrf_token"].value
    page = testapp.post(url + "transition", {"csrf_token": token, "transition": "assign",
                                              "assignee_id": str(setup["tech"].id)}).follow()
    assert "You may not do this." in page.text
    for transition in ("start", "close", "bogus"):  # refused for the state or as unknown: either way refused
        page = testapp.post(url + "transition", {"csrf_token": token, "transition": transition}).follow()
        assert page.html.select_one("p.flash-error") is not None, transition
    assert the_ticket(dbsession).state == "new"
    testapp.post(url + "transition", {"transition": "assign"}, status=400)  # no CSRF token


# --- lists, overdue, export -------------------------------------------------------------------------
def test_overdue_tickets_are_highlighted_until_resolved(testapp, dbsession, setup):
    past = utcnow() - timedelta(hours=2)
    late = ServiceTicketFactory(party=setup["party"], subject="Late one", due_at=past, state="in_progress")
    done = ServiceTicketFactory(party=setup["party"], subject="Late but resolved", due_at=past, state="resolved")
    fine = ServiceTicketFactory(party=setup["party"], subject="In time")
    login(testapp, setup["customer"].login)
    listing = testapp.get(f"/p/{setup['party'].id}/tickets/")
    rows = {row.select_one("td a").text: "overdue" in (row.get("class") or []) for row in
            listing.html.select("table.list tbody tr")}
    assert rows == {"Late one": True, "Late but resolved": False, "In time": False}
    assert "This ticket is overdue." in testapp.get(f"/p/{setup['party'].id}/tickets/{late.id}/").text
    for item in (done, fine):
        assert "This ticket is overdue." not in testapp.get(f"/p/{setup['party'].id}/tickets/{item.id}/").text


def test_list_filters_sorts_and_pages(testapp, dbsession, setup):
    now = utcnow()
    for n, priority in enumerate(["low", "critical", "normal", "high"]):
        ServiceTicketFactory(party=setup["party"], subject=f"Ticket {n}", priority=priority,
                             due_at=now + timedelta(hours=10 - n))
    ServiceTicketFactory(party=setup["party"], subject="Closed one", state="closed")
    login(testapp, setup["customer"].login)
    base = f"/p/{setup['party'].id}/tickets/"

    def subjects(query):
        return [a.text for a in testapp.get(base + query).html.select("table.list tbody td a")]

    assert subjects("?sort=-priority&state=new") == ["Ticket 1", "Ticket 3", "Ticket 2", "Ticket 0"]
    assert subjects("?sort=due&state=new") == ["Ticket 3", "Ticket 2", "Ticket 1", "Ticket 0"]
    assert subjects("?priority=critical") == ["Ticket 1"]
    assert subjects("?state=closed") == ["Closed one"]
    assert "No ticket matches the filter." in testapp.get(base + "?state=on_hold").text
    assert testapp.get(base + "?state=bogus&priority=urgent&sort=x&page=-1").status_int == 200


def test_an_empty_list_says_so(testapp, setup):
    login(testapp, setup["customer"].login)
    page = testapp.get(f"/p/{setup['party'].id}/tickets/")
    assert "There are no service tickets yet." in page.text
    assert page.html.select_one("a.btn-primary")["href"].endswith("/tickets/new")


def sheet_rows(response):
    assert response.content_type == XLSX
    book = openpyxl.load_workbook(io.BytesIO(response.body))
    return [[c.value for c in row] for row in book.active.iter_rows()]


def test_export_holds_the_filtered_list_in_its_order(testapp, dbsession, setup):
    for n in range(55):
        ServiceTicketFactory(party=setup["party"], subject=f"Many {n:02d}", priority="high")
    ServiceTicketFactory(party=setup["party"], subject="Low one", priority="low")
    ServiceTicketFactory(party=setup["other"], subject="Not ours", priority="high")
    login(testapp, setup["customer"].login)
    page = testapp.get(f"/p/{setup['party'].id}/tickets/?priority=high&sort=subject")
    link = page.html.select_one("p.export a")["href"]
    assert "priority=high" in link and "sort=subject" in link
    rows = sheet_rows(testapp.get(link))
    assert rows[0][:4] == ["#", "Subject", "Priority", "State"]
    assert [r[1] for r in rows[1:]] == [f"Many {n:02d}" for n in range(55)]  # every page, not one
    assert {r[2] for r in rows[1:]} == {"High"} and {r[3] for r in rows[1:]} == {"New"}


# --- isolation -------------------------------------------------------------------------------------
def test_another_party_can_reach_nothing_of_a_ticket(testapp, app, dbsession, setup):
    login(testapp, setup["customer"].login)
    open_ticket(testapp, setup["party"], subject="Secret subject", upload=("plan.pdf", PDF), status=303)
    item = the_ticket(dbsession)
    attachment = dbsession.scalars(select(Attachment)).one()
    outsider = another(app, testapp, setup["outsider"].login)
    party, other = setup["party"].id, setup["other"].id
    for url in (f"/p/{party}/tickets/", f"/p/{party}/tickets/{item.id}/", f"/p/{party}/tickets/new",
                f"/p/{party}/tickets/export.xlsx", f"/p/{party}/attachments/{attachment.id}",
                f"/p/{other}/tickets/{item.id}/", f"/p/{other}/attachments/{attachment.id}"):
        response = outsider.get(url, status=404)
        assert "Secret subject" not in response.text
    token = outsider.get(f"/p/{other}/tickets/").forms[0]["csrf_token"].value
    for url in (f"/p/{other}/tickets/{item.id}/transition", f"/p/{party}/tickets/{item.id}/transition"):
        outsider.post(url, {"csrf_token": token, "transition": "confirm"}, status=404)
    outsider.post(f"/p/{party}/tickets/new", {"csrf_token": token, "subject": "Injected", "body": "x",
                                              "priority": "low"}, status=404)
    export = outsider.get(f"/p/{other}/tickets/export.xlsx")
    assert sheet_rows(export) == [sheet_rows(export)[0]]  # the header only
    assert "Secret subject" not in outsider.get(f"/p/{other}/tickets/").text
    assert dbsession.scalar(select(func.count()).select_from(ServiceTicket)) == 1


def test_staff_cannot_open_tickets_for_a_customer(testapp, setup):
    login(testapp, setup["tech"].login)
    assert "New ticket" not in testapp.get(f"/p/{setup['party'].id}/tickets/").text
    testapp.get(f"/p/{setup['party'].id}/tickets/new", status=403)
