"""``/admin/integration/webhooks/``: an admin adds a webhook (its secret shown once), pauses, resumes
and deletes it, reads the delivery history and sends failed deliveries again; all audited, with the
CSRF token; bad input is refused and changes nothing; nobody else opens the page."""
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.api.demo import DEMO_WEBHOOK_URL
from portal.api.demo import load_demo as load_integration_demo
from portal.api.feed.models import FeedEvent
from portal.api.feed.services import publish
from portal.api.webhooks.models import Webhook, WebhookDelivery
from portal.audit.models import AuditEntry
from portal.db.meta import utcnow
from portal.requests.models import CustomerRequest
from portal.scripts import demo
from tests.conftest import csrf_token, login
from tests.factories import TEST_PASSWORDS, PartyFactory, customer, staff

URL = "/admin/integration/webhooks/"


@pytest.fixture
def admin(testapp, dbsession):
    staff("admin", login="hookadmin")
    login(testapp, "hookadmin")
    return testapp


def add(testapp, kind="readings", url="https://accounting.example/hooks/readings", status=200):
    form = testapp.get(URL).forms["webhook"]
    form["kind"] = kind
    form["url"] = url
    return form.submit("submit", status=status)


def audited(dbsession, webhook) -> list[str]:
    dbsession.flush()
    return list(dbsession.scalars(select(AuditEntry.action).where(AuditEntry.target == f"webhook:{webhook.id}")
                                  .order_by(AuditEntry.id)))


def button(page, action, row_id):
    """The ``action`` form of the row ``row_id``."""
    return next(f for f in page.forms.values() if f.action.endswith(f"/{action}")
                and "id" in f.fields and f["id"].value == str(row_id))


def test_an_admin_adds_a_webhook_sees_its_secret_once_pauses_resumes_and_deletes_it(admin, dbsession):
    page = admin.get(URL)
    assert "X-Portal-Signature: t=&lt;unix time&gt;,v1=&lt;hex&gt;" in page.text  # how to check it, on the page
    assert {"readings", "requests", "tickets", "change_requests"} <= {v for v, *_ in page.forms["webhook"]["kind"].options}
    created = add(admin)
    secret = re.search(r'id="new-webhook-secret">([^<]+)<', created.text).group(1)
    webhook = dbsession.scalars(select(Webhook)).one()
    assert (webhook.kind, webhook.url, webhook.secret, webhook.active) == (
        "readings", "https://accounting.example/hooks/readings", secret, True)
    assert created.headers["Cache-Control"] == "no-store"
    listing = admin.get(URL)
    assert secret not in listing.text and "https://accounting.example/hooks/readings" in listing.text
    paused = button(listing, "pause", webhook.id).submit().follow()
    assert "paused: nothing is sent to it until it is resumed" in paused.text
    dbsession.refresh(webhook)
    assert webhook.active is False
    button(paused, "resume", webhook.id).submit().follow()
    dbsession.refresh(webhook)
    assert webhook.active is True
    button(admin.get(URL), "delete", webhook.id).submit().follow()
    assert audited(dbsession, webhook) == ["webhook.create", "webhook.pause", "webhook.resume", "webhook.delete"]
    assert dbsession.scalar(select(func.count()).select_from(Webhook)) == 0


@pytest.mark.parametrize("kind, url, message", [
    ("readings", "ftp://accounting.example/x", "Enter an address starting with https://"),
    ("readings", "https://", "Enter an address starting with https://"),
    ("readings", "https://accounting.example/a b", "An address cannot contain spaces or control characters."),
    ("readings", "https://a.example/" + "x" * 2000, "Longer than maximum length 2000"),
    ("invoices", "https://accounting.example/x", "is not one of"),
])
def test_bad_input_is_refused_and_adds_nothing(admin, dbsession, kind, url, message):
    form = admin.get(URL).forms["webhook"]
    form["kind"].force_value(kind)
    form["url"] = url
    refused = form.submit("submit", status=400)
    assert message in refused.text
    assert dbsession.scalar(select(func.count()).select_from(Webhook)) == 0


def test_one_address_receives_one_kind_once(admin, dbsession):
    add(admin)
    refused = add(admin, status=400)
    assert "This address already receives these events." in refused.text
    add(admin, kind="requests")  # another kind to the same address is another webhook
    assert dbsession.scalar(select(func.count()).select_from(Webhook)) == 2


def test_the_history_shows_each_delivery_and_failed_ones_go_again(admin, dbsession):
    add(admin, kind="tickets", url="https://accounting.example/t")
    webhook = dbsession.scalars(select(Webhook)).one()
    publish(dbsession, "tickets", {"ticket_id": 1})
    publish(dbsession, "readings", {"reading_id": 1})  # no webhook of that kind: no delivery
    [delivery] = dbsession.scalars(select(WebhookDelivery)).all()
    delivery.state, delivery.attempts, delivery.last_status, delivery.last_error = "failed", 8, 503, "HTTP 503"
    page = admin.get(URL, params={"state": "failed"})
    assert "HTTP 503" in page.text and "503" in page.text
    workbook = openpyxl.load_workbook(io.BytesIO(admin.get(URL + "export.xlsx").body))
    rows = list(workbook.active.values)
    assert rows[1][2] == "https://accounting.example/t" and rows[1][5] == 503
    button(page, "retry", delivery.id).submit().follow()
    dbsession.refresh(delivery)
    assert (delivery.state, delivery.attempts) == ("pending", 0) and delivery.next_attempt_at <= utcnow()
    assert dbsession.scalars(select(AuditEntry.action).where(AuditEntry.target == "webhooks")).all() == [
        "webhook.retry"]
    assert webhook.id == delivery.webhook_id


def test_a_post_without_the_token_or_with_a_forged_id_changes_nothing(admin, dbsession):
    add(admin)
    webhook = dbsession.scalars(select(Webhook)).one()
    admin.post(URL + "pause", {"id": str(webhook.id)}, status=400)
    admin.post(URL + "delete", {"id": "999999999", "csrf_token": csrf_token(admin)}, status=400)
    admin.post(URL + "retry", {"id": "x", "csrf_token": csrf_token(admin)}, status=400)
    dbsession.refresh(webhook)
    assert webhook.active is True


def test_only_admins_open_the_page(testapp, dbsession):
    login(testapp, customer(PartyFactory()).login)
    testapp.get(URL, status=403)
    testapp.get(URL + "export.xlsx", status=403)
    boss = staff("head", login="hookhead")
    testapp.reset()
    login(testapp, boss.login)
    testapp.get(URL, status=403)


def test_the_demo_shows_a_paused_webhook_with_the_feed_of_the_demo_work(admin, dbsession):
    newest_before = dbsession.scalar(select(func.max(FeedEvent.id))) or 0  # tests that commit leave theirs
    demo.load_demo(dbsession, TEST_PASSWORDS)
    demo.load_demo_items(dbsession)
    demo.load_demo_work(dbsession, {})
    load_integration_demo(dbsession)
    load_integration_demo(dbsession)  # a second run adds nothing
    events = dbsession.scalars(select(FeedEvent).where(FeedEvent.kind == "requests",
                                                       FeedEvent.id > newest_before)).all()
    requests = dbsession.scalars(select(CustomerRequest)).all()
    assert sorted(e.payload["request_id"] for e in events) == sorted(r.id for r in requests) and requests
    assert {e.payload["state"] for e in events} == {r.state for r in requests}
    webhook = dbsession.scalars(select(Webhook)).one()
    assert (webhook.url, webhook.active) == (DEMO_WEBHOOK_URL, False)
    assert dbsession.scalar(select(func.count()).select_from(WebhookDelivery)) == len(events)
    page = admin.get(URL)
    assert DEMO_WEBHOOK_URL in page.text and "Paused" in page.text
