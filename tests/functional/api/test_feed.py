"""``GET /api/v1/feed/<kind>`` and ``POST …/ack``: events in order, a page at a time; a read without a
cursor starts at the key's acknowledged place and nothing acknowledged is served again; an
acknowledgement names an event served to that key and never goes back; each key has its own place."""
import pytest

from portal.api.feed.events import START, encode_cursor
from portal.api.openapi import mapping_schema
from portal.requests.schemas import RequestFeedSchema
from tests.functional.api.committed import ack, committed, drain, ids, read, read_until  # noqa: F401
from tests.functional.api.conftest import bearer

KIND = "tickets"


@pytest.fixture
def consumer(committed):  # noqa: F811
    """A read key, a client, and the kind emptied for it."""
    token, browser = committed.key("read"), committed.browser()
    drain(committed, browser, token, KIND)
    return token, browser


def test_a_page_at_a_time_in_order_and_nothing_acknowledged_comes_again(committed, consumer):  # noqa: F811
    token, browser = consumer
    first, second, third = (committed.publish(KIND, {"n": n}) for n in (1, 2, 3))
    page = read_until(browser, token, KIND, [first, second], limit=2)
    assert ids(page) == [first, second] and page["more"] is True
    assert [e["payload"] for e in page["events"]] == [{"n": 1}, {"n": 2}]
    rest = read(browser, token, KIND, after=page["next"])
    assert ids(rest) == [third] and rest["more"] is False and rest["next"] == rest["events"][0]["cursor"]
    # Nothing acknowledged yet: without a cursor the read starts where the key acknowledged last.
    assert ids(read(browser, token, KIND)) == [first, second, third]
    ack(browser, token, KIND, page["events"][1]["cursor"])
    assert ids(read(browser, token, KIND)) == [third]
    # A cursor behind the acknowledged place starts there too.
    assert ids(read(browser, token, KIND, after=page["events"][0]["cursor"])) == [third]
    ack(browser, token, KIND, rest["next"])
    done = read(browser, token, KIND)
    assert done["events"] == [] and done["acked"] == done["next"] == rest["next"] and done["more"] is False


def test_an_acknowledgement_names_an_event_served_to_this_key_and_never_goes_back(committed, consumer):  # noqa: F811
    token, browser = consumer
    first, second = committed.publish(KIND, {"n": 1}), committed.publish(KIND, {"n": 2})
    served = read_until(browser, token, KIND, [first], limit=1)
    assert ack(browser, token, KIND, committed.cursor(second), status=409).json["error"]["message"].startswith(
        "This event has not been served to this API key yet")
    other_kind = committed.publish("requests", {"n": 3})
    assert ack(browser, token, KIND, committed.cursor(other_kind), status=400).json["error"]["message"] == \
        "This cursor names no event of this feed."
    ack(browser, token, KIND, "not-a-cursor", status=400)
    ack(browser, token, KIND, encode_cursor(START._replace(id=2 ** 31 - 1)), status=400)  # no such event
    for body in (b"{", b"[]", b'{"cursor": "x", "more": 1}', b"{}"):
        browser.post(f"/api/v1/feed/{KIND}/ack", body, headers=dict(bearer(token), **{
            "Content-Type": "application/json"}), status=400)
    cursor = served["events"][0]["cursor"]
    assert ack(browser, token, KIND, cursor).json == {"kind": KIND, "acked": cursor}
    ack(browser, token, KIND, cursor)  # the same again: a retry after a lost answer is taken
    later = read(browser, token, KIND)
    assert ids(later) == [second]
    ack(browser, token, KIND, later["next"])
    assert ack(browser, token, KIND, cursor, status=409).json["error"]["message"] == \
        "An event after this one is already acknowledged: acknowledgements cannot go back."


def test_each_key_has_its_own_place(committed, consumer):  # noqa: F811
    token, browser = consumer
    other = committed.key("write")  # a write key reads the feed too
    drain(committed, browser, other, KIND)
    event = committed.publish(KIND, {"n": 1})
    page = read_until(browser, token, KIND, [event])
    ack(browser, token, KIND, page["next"])
    assert read(browser, token, KIND)["events"] == []
    assert ids(read_until(browser, other, KIND, [event])) == [event]


@pytest.mark.parametrize("query, message", [
    ("limit=0", "limit must be a whole number from 1 to 1000."),
    ("limit=1001", "limit must be a whole number from 1 to 1000."),
    ("limit=ten", "limit must be a whole number from 1 to 1000."),
    ("limit=%D9%A3", "limit must be a whole number from 1 to 1000."),
    ("after=AAAA", "This is not a cursor of the feed: pass one a read returned."),
])
def test_a_bad_limit_or_cursor_is_refused_clearly(testapp, read_key, query, message):
    answer = testapp.get(f"/api/v1/feed/{KIND}?{query}", headers=bearer(read_key), status=400)
    assert answer.json["error"] == {"status": 400, "message": message}


def test_the_feed_needs_a_key_and_names_only_declared_kinds(testapp, read_key):
    testapp.get(f"/api/v1/feed/{KIND}", status=401)
    testapp.get("/api/v1/feed/invoices", headers=bearer(read_key), status=404)
    testapp.get("/api/v1/feed/", headers=bearer(read_key), status=404)


def test_the_openapi_document_describes_each_kind_from_its_schema(testapp, read_key):
    doc = testapp.get("/api/v1/openapi.json", headers=bearer(read_key)).json
    assert {"/feed/requests", "/feed/requests/ack", "/feed/tickets", "/feed/change_requests",
            "/feed/readings"} <= set(doc["paths"])
    assert doc["components"]["schemas"]["feed.requests"] == mapping_schema(RequestFeedSchema())
    read_op, ack_op = doc["paths"]["/feed/requests"]["get"], doc["paths"]["/feed/requests/ack"]["post"]
    assert {p["name"] for p in read_op["parameters"]} == {"after", "limit"}
    events = read_op["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["events"]
    assert events["items"]["properties"]["payload"] == {"$ref": "#/components/schemas/feed.requests"}
    assert {"200", "400", "409", "401"} <= set(ack_op["responses"])
    assert "/feed/readings/ack" in testapp.get("/api/v1/docs").text  # the reference for people tells the same
