"""SMS through the outbox: rows of channel ``sms`` (a phone number, a text) delivered by
``portal-worker`` through a gateway adapter, with the same claim, retries and delivery history as
e-mail (queue.py, services.py).

Two gateways: a generic HTTP one, set up entirely in the settings (``portal.sms.url``; the body a
template, ``portal.sms.body``, with ``$to``, ``$text``, ``$sender`` and ``$reference``, each value
escaped for ``portal.sms.content_type``; ``portal.sms.username`` and ``.password`` for HTTP basic
authentication or ``portal.sms.token`` for a bearer token), and development's folder
(``portal.sms.folder``): each SMS becomes ``<folder>/<reference>.txt``.

A 2xx answer is sent; a timeout, a refused connection, 408, 429 or a 5xx is tried again later
(the gateway is down: the round stops); any other 4xx is refused for good. Each SMS carries the
same reference on every attempt (``portal-sms-<id>``, also sent as ``Idempotency-Key``), so a
gateway that keeps references drops a repeat after a worker was killed between its answer and the
commit; the folder keeps one file per reference.
"""
import base64
import http.client
import json
import logging
import os
import string
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from datetime import datetime
from xml.sax.saxutils import escape as xml_escape

from portal.db.meta import utcnow
from portal.outbox.models import OutboxAttempt, OutboxChannel, OutboxMessage
from portal.outbox.queue import DeliveryReport, QueueDelivery
from portal.outbox.services import DEFAULT_MAX_ATTEMPTS

log = logging.getLogger(__name__)

PREFIX = "portal.sms."
DEFAULT_BODY = '{"to": "$to", "text": "$text", "sender": "$sender", "reference": "$reference"}'
DEFAULT_CONTENT_TYPE = "application/json"
DEFAULT_TIMEOUT = 10.0
USER_AGENT = "Portal-SMS/1"
MAX_ANSWER_BYTES = 64 * 1024
BUSY_STATUSES = (408, 429)


class SmsRefused(Exception):
    """The gateway will never take this SMS (it answered with a 4xx)."""


class GatewayBusy(Exception):
    """The gateway cannot take it now (408, 429, 5xx): the SMS waits for a later round."""


class SmsSettingsError(ValueError):
    """A mistake in the ``portal.sms.*`` settings, said in one line."""


@dataclass(frozen=True)
class Sms:
    to: str
    text: str
    reference: str


def reference(row: OutboxMessage) -> str:
    """The same on every attempt of one row."""
    return f"portal-sms-{row.id}"


def escaper(content_type: str):
    """How a value goes into a body of ``content_type``: JSON string content, a form value, XML text."""
    kind = content_type.split(";")[0].strip().lower()
    if kind.endswith("json"):
        return lambda value: json.dumps(value, ensure_ascii=False)[1:-1]
    if kind == "application/x-www-form-urlencoded":
        return urllib.parse.quote_plus
    if kind.endswith("xml"):
        return lambda value: xml_escape(value, {'"': "&quot;", "'": "&apos;"})
    return lambda value: value


class NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is not an answer: the SMS went to no gateway."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def http_post(url: str, body: bytes, headers: dict, timeout: float) -> int:
    """POST ``body``; the answer's status. Raises OSError or HTTPException when there is none."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.build_opener(NoRedirects).open(request, timeout=timeout) as answer:
            answer.read(MAX_ANSWER_BYTES)
            return answer.status
    except urllib.error.HTTPError as answer:
        with answer:
            return answer.code


class HttpGateway:
    """A gateway that takes one SMS per POST, its body made from the settings' template."""

    def __init__(self, url, *, body=DEFAULT_BODY, content_type=DEFAULT_CONTENT_TYPE, sender="", username="",
                 password="", token="", timeout=DEFAULT_TIMEOUT, post=http_post):
        self.url = url
        self.template = string.Template(body)
        self.content_type = content_type
        self.escape = escaper(content_type)
        self.sender = sender
        self.timeout = timeout
        self.post = post
        self.authorization = None
        if token:
            self.authorization = f"Bearer {token}"
        elif username:
            self.authorization = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        self.body(Sms("+10000000000", "test", "portal-sms-0"))  # a template naming an unknown value stops the start

    def body(self, sms: Sms) -> bytes:
        try:
            text = self.template.substitute(to=self.escape(sms.to), text=self.escape(sms.text),
                                            sender=self.escape(self.sender), reference=self.escape(sms.reference))
        except (KeyError, ValueError) as exc:
            raise SmsSettingsError(f"{PREFIX}body: the placeholder {exc} is not one of $to, $text, $sender, "
                                   "$reference") from None
        return text.encode("utf-8")

    def headers(self, sms: Sms) -> dict:
        headers = {"Content-Type": f"{self.content_type}; charset=utf-8" if "charset" not in self.content_type
                   else self.content_type, "User-Agent": USER_AGENT, "Idempotency-Key": sms.reference}
        if self.authorization:
            headers["Authorization"] = self.authorization
        return headers

    def send(self, sms: Sms) -> None:
        status = self.post(self.url, self.body(sms), self.headers(sms), self.timeout)
        if 200 <= status < 300:
            return
        if status in BUSY_STATUSES or status >= 500:
            raise GatewayBusy(f"HTTP {status}")
        raise SmsRefused(f"HTTP {status}")


class FolderGateway:
    """Development's SMS catcher: ``<folder>/<reference>.txt`` per SMS; sent again, it overwrites its own file."""

    def __init__(self, folder):
        self.folder = folder

    def send(self, sms: Sms) -> None:
        os.makedirs(self.folder, exist_ok=True)
        path = os.path.join(self.folder, sms.reference + ".txt")
        with open(path + ".part", "w", encoding="utf-8") as f:
            f.write(f"To: {sms.to}\nReference: {sms.reference}\n\n{sms.text}\n")
        os.replace(path + ".part", path)


def gateway_from_settings(settings):
    """The gateway the settings name (the folder wins: it is development's), or None when they name none."""
    def setting(name, default=""):
        return str(settings.get(PREFIX + name) or default).strip()

    if setting("folder"):
        return FolderGateway(setting("folder"))
    url = setting("url")
    if not url:
        return None
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise SmsSettingsError(f"{PREFIX}url must be an http:// or https:// address.")
    try:
        timeout = float(setting("timeout", DEFAULT_TIMEOUT))
    except ValueError:
        raise SmsSettingsError(f"{PREFIX}timeout must be a number of seconds.") from None
    if timeout <= 0:
        raise SmsSettingsError(f"{PREFIX}timeout must be above 0.")
    return HttpGateway(url, body=str(settings.get(PREFIX + "body") or DEFAULT_BODY),
                       content_type=setting("content_type", DEFAULT_CONTENT_TYPE), sender=setting("sender"),
                       username=setting("username"), password=setting("password"), token=setting("token"),
                       timeout=timeout)


class SmsDelivery(QueueDelivery):
    """Sends the due SMS rows of the outbox through a gateway."""

    model = OutboxMessage
    history = OutboxAttempt

    def __init__(self, session_factory, gateway, *, max_attempts=DEFAULT_MAX_ATTEMPTS, clock=utcnow):
        super().__init__(session_factory, max_attempts=max_attempts, clock=clock)
        self.gateway = gateway

    def due(self) -> tuple:
        return (OutboxMessage.channel == OutboxChannel.sms.value,)

    def send(self, session, row: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
        try:
            self.gateway.send(Sms(row.recipient, row.body, reference(row)))
        except (OSError, http.client.HTTPException, GatewayBusy, SmsRefused) as exc:
            error = f"{type(exc).__name__}: {exc}"
            if self.failed(row, now, error, report, permanent=isinstance(exc, SmsRefused)):
                log.warning("SMS %s failed for good: %s", row.id, row.last_error)
            else:
                report.server_down = True
                log.info("SMS %s will be retried at %s: %s", row.id, row.next_attempt_at, row.last_error)
            return
        self.sent(row, now, report)
