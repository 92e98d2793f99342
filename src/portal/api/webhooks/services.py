"""Webhooks: registering them, writing a delivery per event and active webhook with the event, and
POSTing the deliveries from ``portal-worker``.

Deliveries are rows of the outbox's queue (outbox/queue.py): written in the
transaction that publishes the event (a rolled-back change sends nothing),
claimed one per transaction, retried after 1, 2, 4 … minutes (at most six
hours) until ``max_attempts``, then marked failed until an admin sends them
again. Each POST carries the event as JSON, signed (signing.py), with
``X-Portal-Delivery`` the same on every attempt so a receiver can drop a
repeat: a worker killed between the receiver's answer and its commit sends
that one delivery again.
"""
import http.client
import json
import logging
import time
import urllib.error
import urllib.request
from datetime import datetime

from sqlalchemy import insert, literal, select

from portal.api.feed.events import event_document
from portal.api.feed.models import FeedEvent
from portal.api.webhooks.models import DeliveryState, Webhook, WebhookDelivery
from portal.api.webhooks.signing import HEADER, new_secret, signature_header
from portal.db.meta import UTCDateTime, utcnow
from portal.outbox.queue import DeliveryReport, QueueDelivery, requeue_failed

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 8
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "Portal-Webhooks/1"
MAX_ANSWER_BYTES = 64 * 1024  # read and dropped: the status is the answer


def create_webhook(db, kind: str, url: str, *, created_by_id=None) -> tuple[Webhook, str]:
    """A new active webhook and its secret (shown to the admin this once)."""
    secret = new_secret()
    webhook = Webhook(kind=kind, url=url, secret=secret, active=True, created_by_id=created_by_id)
    db.add(webhook)
    db.flush()
    return webhook, secret


def set_active(webhook: Webhook, active: bool) -> bool:
    """Pause or resume a webhook; False when it already was so."""
    if webhook.active == active:
        return False
    webhook.active = active
    return True


def queue_deliveries(db, event: FeedEvent) -> None:
    """A pending delivery of ``event`` for every active webhook of its kind, in one statement."""
    now = utcnow()
    db.execute(insert(WebhookDelivery).from_select(
        ["webhook_id", "event_id", "state", "attempts", "next_attempt_at", "created_at"],
        select(Webhook.id, literal(event.id), literal(DeliveryState.pending.value), literal(0),
               literal(now, UTCDateTime()), literal(now, UTCDateTime()))
        .where(Webhook.kind == event.kind, Webhook.active.is_(True)),
    ))


def retry_failed(db, ids=None) -> int:
    """Send failed deliveries again (all, or those of ``ids``) with a fresh count of attempts."""
    return requeue_failed(db, WebhookDelivery, ids)


def delivery_body(event: FeedEvent) -> bytes:
    """The POST's body: the event's JSON document (events.py), compact, in UTF-8."""
    return json.dumps(event_document(event), ensure_ascii=False, separators=(",", ":"),
                      sort_keys=True).encode("utf-8")


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: its Location is not the URL the admin registered and signed for."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def http_post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST ``body`` and give the answer's status; raises OSError or HTTPException when there is none."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    opener = urllib.request.build_opener(NoRedirects)
    try:
        with opener.open(request, timeout=timeout) as answer:
            answer.read(MAX_ANSWER_BYTES)
            return answer.status
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code


class WebhookSender(QueueDelivery):
    """POSTs the due deliveries of active webhooks; a 2xx answer is delivered, anything else is retried."""

    model = WebhookDelivery

    def __init__(self, session_factory, *, max_attempts=DEFAULT_MAX_ATTEMPTS, timeout=DEFAULT_TIMEOUT,
                 clock=utcnow, post=http_post):
        super().__init__(session_factory, max_attempts=max_attempts, clock=clock)
        self.timeout = timeout
        self.post = post

    def due(self) -> tuple:
        # A paused webhook's deliveries wait for it to be resumed.
        return (WebhookDelivery.webhook_id.in_(select(Webhook.id).where(Webhook.active.is_(True))),)

    def headers(self, row: WebhookDelivery, webhook: Webhook, body: bytes, event: FeedEvent) -> dict:
        return {
            "Content-Type": "application/json; charset=utf-8",
            "User-Agent": USER_AGENT,
            "X-Portal-Event": event.kind,
            "X-Portal-Delivery": str(row.id),
            HEADER: signature_header(webhook.secret, int(time.time()), body),
        }

    def send(self, session, row: WebhookDelivery, now: datetime, report: DeliveryReport) -> None:
        webhook = session.get(Webhook, row.webhook_id)
        event = session.get(FeedEvent, row.event_id)
        body = delivery_body(event)
        try:
            status = self.post(webhook.url, body, self.headers(row, webhook, body, event), self.timeout)
        except (OSError, http.client.HTTPException) as exc:
            row.last_status = None
            error = f"{type(exc).__name__}: {exc}"
        else:
            row.last_status = status
            if 200 <= status < 300:
                self.sent(row, now, report)
                return
            error = f"HTTP {status}"
        if self.failed(row, now, error, report):
            log.warning("webhook delivery %s failed for good: %s", row.id, row.last_error)
        else:
            log.info("webhook delivery %s will be retried at %s: %s", row.id, row.next_attempt_at, row.last_error)
