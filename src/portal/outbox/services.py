"""The outbox: writing e-mails with the change that causes them, and delivering them.

``enqueue`` adds a row to the caller's transaction, so a rolled-back change sends
nothing. ``OutboxDelivery`` sends one row per transaction: the row is locked
(``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so several workers share the work),
sent, and marked sent in the same transaction. A worker killed after the mail
server accepted a message but before that commit leaves the row pending, and
the next run sends it again with the same ``Message-ID``: delivery is at least
once on the wire and exactly once in a mailbox, which drops a repeated
Message-ID. The window is one message per crash.
"""
import email.utils
import logging
import os
import re
import smtplib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from pyramid_mailer.message import Message
from repoze.sendmail.encoding import encode_message
from sqlalchemy import delete, func, select, text

from portal.db.meta import utcnow
from portal.outbox.models import OutboxMessage, OutboxState

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 8
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
ERROR_LENGTH = 500
SAFE_FILE = re.compile(r"[^A-Za-z0-9@._-]+")


def enqueue(session, *, recipient, subject, body, user_id=None, party_id=None, topic="") -> OutboxMessage:
    """A pending e-mail in the caller's transaction."""
    row = OutboxMessage(recipient=recipient, subject=subject[:255], body=body, user_id=user_id,
                        party_id=party_id, topic=topic[:64])
    session.add(row)
    return row


def message_id(row: OutboxMessage, domain: str) -> str:
    """The same Message-ID on every attempt, so a mailbox keeps a repeated delivery once."""
    return f"<portal-outbox-{row.id}@{domain}>"


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, never more than six hours."""
    doublings = min(max(attempts - 1, 0), 16)  # 2**16 minutes is already past the cap
    return min(FIRST_RETRY * 2 ** doublings, LAST_RETRY)


def is_permanent(exc: Exception) -> bool:
    """A 5xx answer says the server will never take this message; anything else may pass later."""
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(500 <= code < 600 for code, _ in exc.recipients.values())
    if isinstance(exc, smtplib.SMTPResponseException):
        return 500 <= exc.smtp_code < 600
    return False


def is_connection_error(exc: Exception) -> bool:
    """The server itself is unreachable: the rest of the batch would fail the same way."""
    return isinstance(exc, (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError))


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    server_down: bool = False
    errors: list = field(default_factory=list)

    @property
    def attempted(self) -> int:
        return self.sent + self.retried + self.failed


class MailerTransport:
    """pyramid_mailer's own sending: a new connection per message (and its DummyMailer in tests)."""

    def __init__(self, mailer):
        self.mailer = mailer

    def send(self, message: Message) -> None:
        self.mailer.send_immediately(message)

    def close(self) -> None:
        pass


class FolderTransport:
    """Development's mail catcher: each message becomes ``<folder>/<Message-ID>.eml`` instead of going
    to an SMTP server. A message sent again overwrites its own file, as a mailbox keeps it once."""

    def __init__(self, folder):
        self.folder = folder

    def send(self, message: Message) -> None:
        os.makedirs(self.folder, exist_ok=True)
        name = SAFE_FILE.sub("_", message.extra_headers["Message-ID"].strip("<>")) + ".eml"
        path = os.path.join(self.folder, name)
        with open(path + ".part", "wb") as f:
            f.write(encode_message(message.to_message()))
        os.replace(path + ".part", path)

    def close(self) -> None:
        pass


class SmtpTransport:
    """One SMTP connection for a whole round of messages, set up as pyramid_mailer's settings say.

    repoze.sendmail (under pyramid_mailer) connects, greets and logs in anew for
    every message; a round of a hundred messages needs that once. After an error
    the connection is dropped and the next message opens a new one.
    """

    def __init__(self, mailer):
        self.config = mailer.smtp_mailer
        self.connection = None

    def open(self):
        config = self.config
        connection = config.smtp_factory()
        connection.ehlo()
        if connection.has_extn("starttls") and not config.no_tls:
            connection.starttls()
            connection.ehlo()
        elif config.force_tls and not config.ssl:
            connection.close()
            raise smtplib.SMTPNotSupportedError("the server offers no STARTTLS and mail.tls requires it")
        if config.username and config.password:
            connection.login(config.username, config.password)
        return connection

    def send(self, message: Message) -> None:
        if self.connection is None:
            self.connection = self.open()
        try:
            self.connection.sendmail(message.sender, message.send_to, encode_message(message.to_message()))
        except (OSError, smtplib.SMTPException):
            self.close()
            raise

    def close(self) -> None:
        if self.connection is not None:
            connection, self.connection = self.connection, None
            try:
                connection.quit()
            except (OSError, smtplib.SMTPException):
                connection.close()


def transport_for(mailer):
    """The batching transport for a real SMTP mailer, pyramid_mailer's own for anything else."""
    return SmtpTransport(mailer) if hasattr(mailer, "smtp_mailer") else MailerTransport(mailer)


class OutboxDelivery:
    """Sends the due rows of the outbox through a transport built on a pyramid_mailer ``Mailer``."""

    def __init__(self, session_factory, mailer, *, sender, domain, max_attempts=DEFAULT_MAX_ATTEMPTS,
                 clock=utcnow, transport=None):
        self.session_factory = session_factory
        self.transport = transport if transport is not None else transport_for(mailer)
        self.sender = sender
        self.domain = domain
        self.max_attempts = max_attempts
        self.clock = clock

    def message(self, row: OutboxMessage) -> Message:
        headers = {
            "Message-ID": message_id(row, self.domain),
            "Date": email.utils.format_datetime(row.created_at),
            "Auto-Submitted": "auto-generated",
        }
        return Message(subject=row.subject, sender=self.sender, recipients=[row.recipient],
                       body=row.body, extra_headers=headers)

    def deliver(self, limit: int) -> DeliveryReport:
        """Up to ``limit`` due messages; stops early when none is due or the server is down."""
        report = DeliveryReport()
        try:
            while report.attempted < limit and not report.server_down:
                if not self.deliver_one(report):
                    break
        finally:
            self.transport.close()
        return report

    def deliver_one(self, report: DeliveryReport) -> bool:
        """Send the oldest due message in its own transaction; False when none is due."""
        session = self.session_factory()
        try:
            with session.begin():
                if session.get_bind().dialect.name == "postgresql":
                    # Not waiting for the disk on commit: a crash of the database may forget
                    # that a message was sent (it is sent again, same Message-ID), never that
                    # it is due. Nearly twice the messages per second.
                    session.execute(text("SET LOCAL synchronous_commit TO OFF"))
                now = self.clock()
                row = session.scalars(
                    select(OutboxMessage)
                    .where(OutboxMessage.state == OutboxState.pending,
                           OutboxMessage.next_attempt_at <= now)
                    .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
                    .limit(1)
                    .with_for_update(skip_locked=True)
                ).first()
                if row is None:
                    return False
                self.send(row, now, report)
            return True
        finally:
            session.close()

    def send(self, row: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
        row.attempts += 1
        try:
            self.transport.send(self.message(row))
        except (OSError, smtplib.SMTPException) as exc:
            row.last_error = f"{type(exc).__name__}: {exc}"[:ERROR_LENGTH]
            report.errors.append(row.last_error)
            if is_permanent(exc) or row.attempts >= self.max_attempts:
                row.state = OutboxState.failed
                report.failed += 1
                log.warning("outbox %s failed for good: %s", row.id, row.last_error)
            else:
                row.next_attempt_at = now + retry_delay(row.attempts)
                report.retried += 1
                report.server_down = is_connection_error(exc)
                log.info("outbox %s will be retried at %s: %s", row.id, row.next_attempt_at, row.last_error)
            return
        row.state = OutboxState.sent
        row.sent_at = now
        row.last_error = None
        report.sent += 1


def counts_by_state(session) -> dict[str, int]:
    rows = session.execute(select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state))
    counts = {state.value: 0 for state in OutboxState}
    counts.update({state: n for state, n in rows})
    return counts


def retry_failed(session, ids=None, now=None) -> int:
    """Put failed messages back in the queue with a fresh count of attempts."""
    stmt = select(OutboxMessage).where(OutboxMessage.state == OutboxState.failed)
    if ids is not None:
        stmt = stmt.where(OutboxMessage.id.in_(ids))
    rows = session.scalars(stmt).all()
    for row in rows:
        row.state = OutboxState.pending
        row.attempts = 0
        row.next_attempt_at = now or utcnow()
    return len(rows)


def prune_sent(session, days: int, now=None) -> int:
    """Forget e-mails sent more than ``days`` days ago; waiting and failed ones stay."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.state == OutboxState.sent,
                                                         OutboxMessage.sent_at < cutoff))
    return result.rowcount
