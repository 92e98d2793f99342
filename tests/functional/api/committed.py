"""Committed data for the feed's and the webhooks' tests, removed afterwards.

The doomed test transaction cannot show what the feed serves: on PostgreSQL an
event takes its place in the feed as its transaction commits, and the test's
own transaction never does. So these tests commit their keys, events and
webhooks, read through the application with a transaction per request, and
remove what they made.
"""
import time

import pytest
import webtest
from sqlalchemy import delete, select

from portal.api.feed.events import Position, encode_cursor
from portal.api.feed.models import FeedEvent
from portal.api.feed.services import publish
from portal.api.keys import create_api_key
from portal.api.models import ApiCall, ApiKey
from portal.api.webhooks.models import Webhook
from portal.api.webhooks.services import create_webhook

# A read waits this long for what it expects: a transaction publishing the same kind may still be
# committing.
WAIT_SECONDS = 20


class Committed:
    """Keys, events and webhooks committed for one test; ``remove`` deletes them all."""

    def __init__(self, app):
        self.app = app
        self.factory = app.registry["dbsession_factory"]
        self.key_ids, self.event_ids, self.webhook_ids = [], [], []

    def key(self, scope="read") -> str:
        with self.factory() as session:
            key, token = create_api_key(session, f"Feed test {len(self.key_ids)}", scope)
            session.commit()
            self.key_ids.append(key.id)
        return token

    def publish(self, kind, payload) -> int:
        with self.factory() as session:
            event = publish(session, kind, payload)
            session.commit()
            self.event_ids.append(event.id)
        return event.id

    def cursor(self, event_id) -> str:
        """The cursor of an event, as a read would give it."""
        with self.factory() as session:
            event = session.get(FeedEvent, event_id)
            return encode_cursor(Position.of(event))

    def webhook(self, kind, url, *, active=True) -> tuple[int, str]:
        with self.factory() as session:
            webhook, secret = create_webhook(session, kind, url)
            webhook.active = active
            session.commit()
            self.webhook_ids.append(webhook.id)
        return webhook.id, secret

    def browser(self) -> webtest.TestApp:
        """A client of the application itself: each request commits in its own transaction."""
        return webtest.TestApp(self.app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.40"})

    def remove(self):
        with self.factory() as session:
            session.execute(delete(FeedEvent).where(FeedEvent.id.in_(self.event_ids)))
            session.execute(delete(Webhook).where(Webhook.id.in_(self.webhook_ids)))
            session.execute(delete(ApiCall).where(ApiCall.key_id.in_(self.key_ids)))
            session.execute(delete(ApiKey).where(ApiKey.id.in_(self.key_ids)))
            session.commit()

    def events_published(self, kind) -> list[int]:
        with self.factory() as session:
            return list(session.scalars(select(FeedEvent.id).where(FeedEvent.kind == kind)))


@pytest.fixture
def committed(app):
    made = Committed(app)
    yield made
    made.remove()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def read(browser, token, kind, **query):
    return browser.get(f"/api/v1/feed/{kind}", params=query, headers=bearer(token)).json


def ack(browser, token, kind, cursor, status=200):
    return browser.post_json(f"/api/v1/feed/{kind}/ack", {"cursor": cursor}, headers=bearer(token), status=status)


def ids(page) -> list[int]:
    return [event["id"] for event in page["events"]]


def read_until(browser, token, kind, wanted, **query):
    """The first read whose events end with ``wanted`` (event ids), within WAIT_SECONDS."""
    deadline = time.monotonic() + WAIT_SECONDS
    while True:
        page = read(browser, token, kind, **query)
        if ids(page)[-len(wanted):] == wanted or time.monotonic() > deadline:
            return page
        time.sleep(0.1)


def drain(committed, browser, token, kind) -> None:
    """Read and acknowledge what the kind holds already (events other tests committed and left), so a
    test sees only its own."""
    marker = committed.publish(kind, {"marker": True})
    deadline = time.monotonic() + WAIT_SECONDS
    after = None
    while True:
        page = read(browser, token, kind, limit=1000, **({"after": after} if after else {}))
        after = page["next"] or after
        if marker in ids(page):
            break
        if not page["more"]:
            assert time.monotonic() < deadline, "the marker event never became visible"
            time.sleep(0.1)
    ack(browser, token, kind, after)
