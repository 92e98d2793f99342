"""``portal-worker <ini> [--once] [--batch N] [--interval S]``: deliver the outbox.

Runs until stopped (SIGTERM or Ctrl-C finish the message in hand, then exit),
sending the due e-mails through the SMTP server of the ``mail.*`` settings
(pyramid_mailer's: ``mail.host``, ``mail.port``, ``mail.username``,
``mail.password``, ``mail.tls``, ``mail.ssl``, ``mail.default_sender``).
``--once`` sends what is due and exits, for cron or a test.

Each message is sent and marked in its own transaction (services/outbox.py):
killing the worker loses nothing, and on PostgreSQL several workers can run
side by side. On SQLite run one.
"""
import argparse
import logging
import signal
import sys
import time

from pyramid_mailer.mailer import Mailer

from portal.db import get_engine, get_session_factory
from portal.outbox.services import DEFAULT_MAX_ATTEMPTS, FolderTransport, OutboxDelivery
from portal.scripts.common import load_settings

log = logging.getLogger("portal.worker")

SENDER_SETTING = "mail.default_sender"
DOMAIN_SETTING = "portal.mail.message_id_domain"
ATTEMPTS_SETTING = "portal.mail.max_attempts"
# Development: write each e-mail into this folder as a .eml file instead of sending it.
FOLDER_SETTING = "portal.mail.folder"


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


class Stop:
    """Set by SIGTERM/SIGINT: the loop ends after the message in hand."""

    def __init__(self):
        self.requested = False

    def __call__(self, signum, frame):
        self.requested = True


def run(delivery: OutboxDelivery, *, once: bool, batch: int, interval: float, stop: Stop) -> dict:
    totals = {"sent": 0, "retried": 0, "failed": 0}
    while not stop.requested:
        report = delivery.deliver(batch)
        for key in totals:
            totals[key] += getattr(report, key)
        if report.attempted:
            log.info("sent %d, to retry %d, failed %d", report.sent, report.retried, report.failed)
        if once and (report.attempted < batch or report.server_down):
            break
        if report.attempted == 0 or report.server_down:
            # Nothing due, or the server is down: wait rather than spin.
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
    engine = get_engine(settings)
    try:
        delivery = delivery_from_settings(settings, get_session_factory(engine))
    except WorkerError as exc:
        print(f"portal-worker: {exc}", file=sys.stderr)
        return 2
    stop = Stop()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    try:
        totals = run(delivery, once=args.once, batch=args.batch, interval=args.interval, stop=stop)
    finally:
        engine.dispose()
    print("Sent {sent}, to retry {retried}, failed {failed}.".format(**totals), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
