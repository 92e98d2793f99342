"""Webhook deliveries through the outbox's queue: a real HTTP receiver on this machine checks each
POST's signature as a receiver should; a rolled-back change sends nothing; a failing receiver is
tried again later and later, every attempt recorded; a paused webhook waits."""
import hashlib
import hmac
import json
import threading
import time
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import select

from portal.api.feed.services import publish
from portal.api.webhooks.models import Webhook, WebhookDelivery
from portal.api.webhooks.services import WebhookSender, retry_failed
from portal.db.meta import utcnow
from tests.functional.api.committed import committed  # noqa: F401 - a fixture

KIND = "tickets"


class Receiver:
    """An HTTP server in a thread taking webhook POSTs: it verifies the signature with ``secret``
    (written here from the README, not with the portal's code) and answers 401 when it fails,
    else the next of ``statuses`` (the last one repeats)."""

    def __init__(self, statuses=(204,)):
        self.secret = ""
        self.statuses = list(statuses)
        self.received = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                verified = receiver.verify(self.headers.get("X-Portal-Signature", ""), body)
                receiver.received.append({"headers": dict(self.headers), "body": body, "verified": verified})
                status = (receiver.statuses.pop(0) if len(receiver.statuses) > 1 else receiver.statuses[0]) \
                    if verified else 401
                self.send_response(status)
                if 300 <= status < 400:
                    self.send_header("Location", "http://127.0.0.1:9/elsewhere")
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hooks/portal"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def verify(self, header, body) -> bool:
        fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
        if not fields.get("t", "").isdigit() or abs(time.time() - int(fields["t"])) > 300:
            return False
        expected = hmac.new(self.secret.encode(), fields["t"].encode() + b"." + body, hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, fields.get("v1", ""))

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()


class Clock:
    """The worker's clock, moved on by hand."""

    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


def sender(committed, clock=None, **kw):  # noqa: F811
    return WebhookSender(committed.factory, timeout=5, clock=clock or utcnow, **kw)


def deliveries(committed, webhook_id):  # noqa: F811
    with committed.factory() as session:
        return session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)
                               .order_by(WebhookDelivery.id)).all()


def test_an_event_is_posted_signed_and_recorded_as_delivered(committed):  # noqa: F811
    with Receiver() as receiver:
        webhook_id, receiver.secret = committed.webhook(KIND, receiver.url)
        event_id = committed.publish(KIND, {"ticket_id": 7, "state": "new", "subject": "Котёл течёт"})
        report = sender(committed).deliver(10)
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)
    [got] = receiver.received
    assert got["verified"] is True
    body = json.loads(got["body"])
    assert body["id"] == event_id and body["kind"] == KIND
    assert body["payload"] == {"ticket_id": 7, "state": "new", "subject": "Котёл течёт"}
    [delivery] = deliveries(committed, webhook_id)
    assert got["headers"]["X-Portal-Event"] == KIND and got["headers"]["X-Portal-Delivery"] == str(delivery.id)
    assert got["headers"]["Content-Type"] == "application/json; charset=utf-8"
    assert (delivery.state, delivery.attempts, delivery.last_status, delivery.last_error) == ("sent", 1, 204, None)
    assert delivery.sent_at is not None and delivery.event_id == event_id


def test_a_receiver_holding_another_secret_refuses_the_post(committed):  # noqa: F811
    with Receiver() as receiver:
        webhook_id, secret = committed.webhook(KIND, receiver.url)
        receiver.secret = secret[:-1] + ("0" if secret[-1] != "0" else "1")
        committed.publish(KIND, {"ticket_id": 8})
        report = sender(committed).deliver(10)
    assert report.retried == 1 and receiver.received[0]["verified"] is False
    [delivery] = deliveries(committed, webhook_id)
    assert (delivery.state, delivery.last_status, delivery.last_error) == ("pending", 401, "HTTP 401")


def test_a_rolled_back_change_sends_nothing(committed):  # noqa: F811
    with Receiver() as receiver:
        webhook_id, receiver.secret = committed.webhook(KIND, receiver.url)
        with committed.factory() as session:
            publish(session, KIND, {"ticket_id": 9})
            session.flush()
            assert session.scalars(select(WebhookDelivery).where(WebhookDelivery.webhook_id == webhook_id)).all()
            session.rollback()
        report = sender(committed).deliver(10)
    assert report.attempted == 0 and receiver.received == []
    assert deliveries(committed, webhook_id) == []


def test_a_failing_receiver_is_tried_again_later_and_later_every_attempt_recorded(committed):  # noqa: F811
    clock = Clock()
    with Receiver(statuses=(500, 503, 200)) as receiver:
        webhook_id, receiver.secret = committed.webhook(KIND, receiver.url)
        committed.publish(KIND, {"ticket_id": 10})
        clock.now = utcnow()
        assert sender(committed, clock).deliver(10).retried == 1
        [first] = deliveries(committed, webhook_id)
        assert (first.state, first.attempts, first.last_status, first.last_error) == ("pending", 1, 500, "HTTP 500")
        assert first.next_attempt_at == clock.now + timedelta(minutes=1)
        assert sender(committed, clock).deliver(10).attempted == 0  # not due yet
        clock.now += timedelta(seconds=61)
        assert sender(committed, clock).deliver(10).retried == 1
        [second] = deliveries(committed, webhook_id)
        assert (second.attempts, second.last_status) == (2, 503)
        assert second.next_attempt_at == clock.now + timedelta(minutes=2)
        clock.now += timedelta(minutes=2)
        assert sender(committed, clock).deliver(10).sent == 1
    [done] = deliveries(committed, webhook_id)
    assert (done.state, done.attempts, done.last_status, done.last_error) == ("sent", 3, 200, None)
    assert len(receiver.received) == 3 and all(r["verified"] for r in receiver.received)
    assert len({r["headers"]["X-Portal-Delivery"] for r in receiver.received}) == 1  # one delivery, three tries


@pytest.mark.parametrize("status", [302, 404, 500])
def test_after_the_last_attempt_a_delivery_fails_until_sent_again(committed, status):  # noqa: F811
    clock = Clock()
    with Receiver(statuses=(status,)) as receiver:
        webhook_id, receiver.secret = committed.webhook(KIND, receiver.url)
        committed.publish(KIND, {"ticket_id": 11})
        clock.now = utcnow()
        for _attempt in range(2):
            sender(committed, clock, max_attempts=2).deliver(10)
            clock.now += timedelta(hours=7)  # past the longest wait
        [failed] = deliveries(committed, webhook_id)
        assert (failed.state, failed.attempts, failed.last_status) == ("failed", 2, status)
        with committed.factory() as session:
            assert retry_failed(session, [failed.id]) == 1
            session.commit()
        receiver.statuses = [204]
        assert sender(committed).deliver(10).sent == 1
    assert len(receiver.received) == 3


def test_a_receiver_nobody_answers_for_is_recorded_without_a_status(committed):  # noqa: F811
    with Receiver() as receiver:
        url = receiver.url
    webhook_id, _secret = committed.webhook(KIND, url)  # nothing listens there any more
    committed.publish(KIND, {"ticket_id": 12})
    assert sender(committed).deliver(10).retried == 1
    [delivery] = deliveries(committed, webhook_id)
    assert delivery.last_status is None and "Connection refused" in delivery.last_error


def test_a_paused_webhook_gets_no_new_deliveries_and_its_waiting_ones_wait(committed):  # noqa: F811
    with Receiver() as receiver:
        webhook_id, receiver.secret = committed.webhook(KIND, receiver.url)
        before = committed.publish(KIND, {"ticket_id": 13})
        with committed.factory() as session:
            session.get(Webhook, webhook_id).active = False
            session.commit()
        committed.publish(KIND, {"ticket_id": 14})
        assert [d.event_id for d in deliveries(committed, webhook_id)] == [before]
        assert sender(committed).deliver(10).attempted == 0
        with committed.factory() as session:
            session.get(Webhook, webhook_id).active = True
            session.commit()
        assert sender(committed).deliver(10).sent == 1
    assert [json.loads(r["body"])["id"] for r in receiver.received] == [before]
