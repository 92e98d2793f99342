"""``portal-worker <ini> [--once] [--batch N] [--interval S]``: deliver the outbox.

Runs until stopped (SIGTERM or Ctrl-C finish the message in hand, then exit),
sending the due e-mails through the SMTP server of the ``mail.*`` settings
(pyramid_mailer's: ``mail.host``, ``mail.port``, ``mail.username``,
``mail.password``, ``mail.tls``, ``mail.ssl``, ``mail.default_sender``), and
POSTing the due webhook deliveries (``portal.webhooks.timeout`` seconds per
POST, ``portal.webhooks.max_attempts``), and the due SMS through the gateway
of the ``portal.sms.*`` settings (outbox/sms.py; ``portal.sms.max_attempts``),
when they name one. ``--once`` sends what is due and exits, for cron or a test.

The due rows are claimed in batches and each one's outcome is stored as soon as
the server has answered for it (outbox/queue.py): killing the worker loses
nothing and repeats at most one message, and on PostgreSQL several workers can
run side by side. On SQLite run one.
"""
import argparse
import logging
import signal
import sys
import time

from pyramid_mailer.mailer import Mailer

from portal.api.webhooks import services as webhooks
from portal.db import database_url, get_engine, get_session_factory
from portal.outbox.queue import engine_options
from portal.outbox.services import DEFAULT_MAX_ATTEMPTS, FolderTransport, OutboxDelivery
from portal.outbox.sms import SmsDelivery, SmsSettingsError, gateway_from_settings
from portal.scripts.common import load_settings

log = logging.getLogger("portal.worker")

SENDER_SETTING = "mail.default_sender"
DOMAIN_SETTING = "portal.mail.message_id_domain"
ATTEMPTS_SETTING = "portal.mail.max_attempts"
# Development: write each e-mail into this folder as a .eml file instead of sending it.
FOLDER_SETTING = "portal.mail.folder"
WEBHOOK_ATTEMPTS_SETTING = "portal.webhooks.max_attempts"
SMS_ATTEMPTS_SETTING = "portal.sms.max_attempts"
WEBHOOK_TIMEOUT_SETTING = "portal.webhooks.timeout"


class WorkerError(Exception):
    """A mistake in the settings, reported as one line and exit status 2."""


def delivery_from_settings(settings, session_factory) -> OutboxDelivery:
    sender = (settings.get(SENDER_SETTING) or "").strip()
    if "@" not in sender:
        raise WorkerError(f"Set {SENDER_SETTING} in the .ini file to the address e-mails come from.")
    domain = (settings.get(DOMAIN_SETTING) or sender.rsplit("@", 1)[1].strip(">")).strip()
    try:
        max_attempts = int(settings.get(ATTEMPTS_SETTING) or DEFAULT_MAX_ATTEMPTS)
    except ValueError:
        raise WorkerError(f"{ATTEMPTS_SETTING} must be a whole number.") from None
    if max_attempts < 1:
        raise WorkerError(f"{ATTEMPTS_SETTING} must be at least 1.")
    folder = (settings.get(FOLDER_SETTING) or "").strip()
    return OutboxDelivery(session_factory, Mailer.from_settings(settings), sender=sender, domain=domain,
                          max_attempts=max_attempts, transport=FolderTransport(folder) if folder else None)


def webhook_sender_from_settings(settings, session_factory) -> webhooks.WebhookSender:
    try:
        max_attempts = int(settings.get(WEBHOOK_ATTEMPTS_SETTING) or webhooks.DEFAULT_MAX_ATTEMPTS)
        timeout = float(settings.get(WEBHOOK_TIMEOUT_SETTING) or webhooks.DEFAULT_TIMEOUT)
    except ValueError:
        raise WorkerError(f"{WEBHOOK_ATTEMPTS_SETTING} must be a whole number and {WEBHOOK_TIMEOUT_SETTING} "
                          "a number of seconds.") from None
    if max_attempts < 1 or timeout <= 0:
        raise WorkerError(f"{WEBHOOK_ATTEMPTS_SETTING} must be at least 1 and {WEBHOOK_TIMEOUT_SETTING} above 0.")
    return webhooks.WebhookSender(session_factory, max_attempts=max_attempts, timeout=timeout)


def sms_delivery_from_settings(settings, session_factory) -> SmsDelivery | None:
    """The SMS delivery through the settings' gateway; None when they name none (SMS rows then wait)."""
    try:
        gateway = gateway_from_settings(settings)
        max_attempts = int(settings.get(SMS_ATTEMPTS_SETTING) or DEFAULT_MAX_ATTEMPTS)
    except SmsSettingsError as exc:
        raise WorkerError(str(exc)) from None
    except ValueError:
        raise WorkerError(f"{SMS_ATTEMPTS_SETTING} must be a whole number.") from None
    if max_attempts < 1:
        raise WorkerError(f"{SMS_ATTEMPTS_SETTING} must be at least 1.")
    return SmsDelivery(session_factory, gateway, max_attempts=max_attempts) if gateway is not None else None


class Stop:
    """Set by SIGTERM/SIGINT: the loop ends after the message in hand."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        self.requested = True


def run(deliveries, *, once: bool, batch: int, interval: float, stop: Stop) -> list[dict]:
    """Rounds of each delivery (the outbox's e-mails, the webhooks' POSTs) until stopped; the totals
    of each, in their order."""
    totals = [{"sent": 0, "retried": 0, "failed": 0} for _delivery in deliveries]
    while not stop.requested:
        reports = [delivery.deliver(batch) for delivery in deliveries]
        for delivery, total, report in zip(deliveries, totals, reports):
            for key in total:
                total[key] += getattr(report, key)
            if report.attempted:
                log.info("%s: sent %d, to retry %d, failed %d", delivery.model.__tablename__, report.sent,
                         report.retried, report.failed)
        busy = [r for r in reports if r.attempted >= batch and not r.server_down]
        if once and not busy:
            break
        if not busy:
            # Nothing due, or the servers are down: wait rather than spin.
            waited = 0.0
            while waited < interval and not stop.requested:
                time.sleep(min(0.2, interval))
                waited += 0.2
    return totals


def build_parser():
    parser = argparse.ArgumentParser(prog="portal-worker", description="Deliver the portal's outbox.")
    parser.add_argument("config_uri", help="the .ini file, e.g. production.ini")
    parser.add_argument("--once", action="store_true", help="send what is due now, then exit")
    parser.add_argument("--batch", type=int, default=100, help="messages per round (default 100)")
    parser.add_argument("--interval", type=float, default=5.0,
                        help="seconds to wait when nothing is due (default 5)")
    return parser


def main(argv=None):
    args = build_parser().parse_args(argv)
    if args.batch < 1 or args.interval < 0:
        print("portal-worker: --batch must be at least 1 and --interval not negative.", file=sys.stderr)
        return 2
    settings = load_settings(args.config_uri)
    engine = get_engine(settings, **engine_options(database_url(settings)))
    session_factory = get_session_factory(engine)
    try:
        deliveries = [delivery_from_settings(settings, session_factory),
                      webhook_sender_from_settings(settings, session_factory)]
        sms = sms_delivery_from_settings(settings, session_factory)
    except WorkerError as exc:
        print(f"portal-worker: {exc}", file=sys.stderr)
        return 2
    stop = Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        mail, hooks, *texts = run(deliveries + ([sms] if sms else []), once=args.once, batch=args.batch,
                                  interval=args.interval, stop=stop)
    finally:
        engine.dispose()
    print("Sent {sent}, to retry {retried}, failed {failed}.".format(**mail), flush=True)
    print("Webhooks: delivered {sent}, to retry {retried}, failed {failed}.".format(**hooks), flush=True)
    for totals in texts:
        print("SMS: sent {sent}, to retry {retried}, failed {failed}.".format(**totals), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
