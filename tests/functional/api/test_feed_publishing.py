"""What customers do lands in the feed, in the same transaction, with a payload exactly as its kind's
schema documents it: each move of a request or ticket, a change request approved with the values it
applied, a customer's reading accepted (not the accounting system's own); a kind of a vertical that
is switched off is not served."""
import pytest
import webtest
from sqlalchemy import func, select

import portal
from portal.api.feed.models import FeedEvent
from portal.api.feed.registry import feed_kinds
from portal.changes.schemas import ChangeRequestFeedSchema
from portal.requests.models import CustomerRequest
from portal.requests.schemas import RequestFeedSchema
from portal.tickets.schemas import TicketFeedSchema
from portal.utility.models import Reading
from portal.utility.schemas import ReadingFeedSchema
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff
from tests.factories.changes import PARTY_VALUES, change_request
from tests.functional.api.conftest import bearer
from tests.functional.requests.test_requests import act, file_request
from tests.functional.requests.test_requests import setup as request_setup  # noqa: F401 - a fixture
from tests.functional.tickets.test_tickets import open_ticket, the_ticket
from tests.functional.utility.conftest import TODAY, browser, send, world  # noqa: F401 - fixtures
from tests.functional.utility.test_readings import decide


@pytest.fixture
def published(dbsession):
    """``published(kind)``: the test's events of ``kind``, oldest first (tests that commit for real
    leave theirs behind)."""
    newest_before = dbsession.scalar(select(func.max(FeedEvent.id))) or 0

    def of(kind) -> list[FeedEvent]:
        dbsession.flush()
        return dbsession.scalars(select(FeedEvent).where(FeedEvent.kind == kind, FeedEvent.id > newest_before)
                                 .order_by(FeedEvent.id)).all()

    return of


def documented(schema_class, payload) -> dict:
    """The payload read by its kind's schema, which refuses a key it does not declare."""
    return schema_class().deserialize(payload)


def test_every_move_of_a_request_is_an_event_with_its_state(testapp, app, dbsession, request_setup, published):
    party = request_setup["party"]
    party.external_id = "ACC-REQ-1"
    login(testapp, request_setup["customer"].login)
    file_request(testapp, party, request_setup["type"], subject="Meter is broken", body="Send someone.")
    item = dbsession.scalars(select(CustomerRequest)).one()
    dispatcher = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(dispatcher, request_setup["dispatcher"].login)
    act(dispatcher, f"/p/{party.id}/requests/{item.id}/", "assign", assignee_id=str(request_setup["dispatcher"].id))
    filed, assigned = [e.payload for e in published("requests")]
    assert (filed["transition"], filed["from_state"], filed["state"]) == ("create", None, "new")
    assert (assigned["transition"], assigned["from_state"], assigned["state"]) == ("assign", "new", "assigned")
    assert filed["party"] == {"id": party.id, "external_id": "ACC-REQ-1"}
    assert (filed["request_id"], filed["type"], filed["subject"], filed["body"]) == \
        (item.id, "general", "Meter is broken", "Send someone.")
    for payload in (filed, assigned):
        assert documented(RequestFeedSchema, payload)["request_id"] == item.id


def test_a_ticket_opened_is_an_event(testapp, dbsession, published):
    party = PartyFactory(name="Ticketing Co", external_id="ACC-T-1")
    login(testapp, customer(party).login)
    open_ticket(testapp, party, subject="Boiler is leaking", priority="high")
    ticket = the_ticket(dbsession)
    [event] = published("tickets")
    payload = documented(TicketFeedSchema, event.payload)
    assert (payload["ticket_id"], payload["state"], payload["priority"]) == (ticket.id, "new", "high")
    assert payload["party"]["external_id"] == "ACC-T-1" and payload["due_at"] == ticket.due_at


def test_an_approved_change_request_is_an_event_with_the_values_it_applied(testapp, dbsession, published):
    party = PartyFactory(name="Changing Co", external_id="ACC-CR-1", **PARTY_VALUES)
    item = change_request(dbsession, party, customer(party), {"phone": "+7 495 111-22-33", "bank_name": None})
    assert published("change_requests") == []  # submitted is not yet news for the accounting system
    clerk = staff("backoffice", last_name="Clerk")
    login(testapp, clerk.login)
    page = testapp.get(f"/p/{party.id}/changes/{item.id}/")
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == "approve")
    form.submit(status=303)
    [event] = published("change_requests")
    payload = event.payload
    documented(ChangeRequestFeedSchema, payload)
    assert payload["values"] == {"phone": "+7 495 111-22-33", "bank_name": None}  # None: emptied
    assert payload["previous"] == {"phone": PARTY_VALUES["phone"], "bank_name": PARTY_VALUES["bank_name"]}
    assert payload["party"] == {"id": party.id, "external_id": "ACC-CR-1"} and payload["change_request_id"] == item.id


def test_a_customers_reading_accepted_at_once_is_an_event_the_accounting_systems_is_not(world, browser,  # noqa: F811
                                                                                         published):
    assert published("readings") == []  # the world's readings of a month ago came from accounting
    send(browser(world.author), world, t1="1300", t2="655", comment="Photo taken.")
    [event] = published("readings")
    payload = documented(ReadingFeedSchema, event.payload)
    assert payload["transition"] == "auto_accept" and payload["reading_date"] == TODAY
    assert payload["meter"] == {"id": world.meter.id, "external_id": None, "serial_number": "DAYNIGHT-0001"}
    assert payload["supply_point"]["external_id"] == world.point.external_id
    assert [(v["register"], v["value"], v["consumption"]) for v in payload["values"]] == [
        ("T1", 1300, 300), ("T2", 655, 155)]
    assert event.payload["values"][0]["value"] == "1300.0"  # exact, as text
    assert payload["comment"] == "Photo taken."


def test_a_reviewed_reading_is_an_event_once_staff_accept_it(world, browser, dbsession, published):  # noqa: F811
    send(browser(world.author), world, t1="9000", t2="655", comment="Guests stayed.")
    assert published("readings") == []  # waiting for review
    waiting = dbsession.scalars(select(Reading).where(Reading.state == "submitted")).one()
    decide(browser(world.backoffice), f"/p/{world.party.id}/readings/{waiting.id}/", "accept")
    [event] = published("readings")
    assert documented(ReadingFeedSchema, event.payload)["transition"] == "accept"
    assert event.payload["reading_id"] == waiting.id


@pytest.fixture(scope="module")
def without_utility(app_settings, migrated_engine):
    return portal.main({}, **dict(app_settings, **{"portal.modules": ""}))


def test_a_kind_of_a_switched_off_vertical_is_404(without_utility, app, tm, dbsession, read_key):
    off = webtest.TestApp(without_utility, extra_environ={"HTTP_HOST": "localhost", "tm.active": True,
                                                          "tm.manager": tm, "app.dbsession": dbsession})
    assert "readings" in feed_kinds(app.registry) and "readings" not in feed_kinds(without_utility.registry)
    off.get("/api/v1/feed/readings", headers=bearer(read_key), status=404)
    assert off.get("/api/v1/feed/requests", headers=bearer(read_key)).json["kind"] == "requests"
    doc = off.get("/api/v1/openapi.json", headers=bearer(read_key)).json
    assert "/feed/requests" in doc["paths"] and "/feed/readings" not in doc["paths"]


def test_a_logged_in_customer_cannot_read_the_feed(testapp, dbsession):
    login(testapp, customer(PartyFactory()).login)
    testapp.get("/api/v1/feed/requests", status=401)
    testapp.post_json("/api/v1/feed/requests/ack", {"cursor": "A" * 22}, status=401)
