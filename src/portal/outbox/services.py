"""The outbox: writing e-mails (and SMS, sms.py) with the change that causes them, and delivering them.

``enqueue`` adds a row to the caller's transaction, so a rolled-back change sends
nothing. ``OutboxDelivery`` sends the rows the queue claims in batches (queue.py:
``FOR UPDATE SKIP LOCKED`` and a lease on PostgreSQL, so several workers share the
work) over one SMTP connection, and commits each row's outcome on its own as soon
as the server has answered for it. A worker killed after the mail server accepted a
message but before that commit leaves the row pending, and it is sent again when
the claim's lease ends, with the same ``Message-ID``: delivery is at least once on
the wire and exactly once in a mailbox, which drops a repeated Message-ID. The window
is one message per crash. Every attempt is kept with its time and outcome
(``OutboxAttempt``): the row's delivery history, which the admin's outbox page shows.
"""
import email.utils
import logging
import os
import re
import smtplib
from datetime import datetime, timedelta

from pyramid_mailer.message import Message
from sqlalchemy import delete, func, select

from portal.db.bulk import insert_rows
from portal.db.meta import utcnow
from portal.outbox.encoding import encode
from portal.outbox.models import OutboxAttempt, OutboxChannel, OutboxMessage, OutboxState
from portal.outbox.queue import DeliveryReport, QueueDelivery, requeue_failed

log = logging.getLogger(__name__)

DEFAULT_MAX_ATTEMPTS = 8
SAFE_FILE = re.compile(r"[^A-Za-z0-9@._-]+")


def enqueue(session, *, recipient, subject, body, user_id=None, party_id=None, topic="",
            channel=OutboxChannel.email) -> OutboxMessage:
    """A pending e-mail (or SMS: ``recipient`` a phone number, ``body`` its text) in the caller's transaction."""
    row = OutboxMessage(channel=channel.value, recipient=recipient, subject=subject[:255], body=body,
                        user_id=user_id, party_id=party_id, topic=topic[:64])
    session.add(row)
    return row


def enqueue_many(session, messages) -> int:
    """Pending e-mails and SMS, each given by ``enqueue``'s keywords, in one statement in the caller's
    transaction (db/bulk.py: a batch's thousands of letters, without an ORM object each); how many."""
    rows = [{"channel": message.get("channel", OutboxChannel.email).value, "recipient": message["recipient"],
             "subject": message["subject"][:255], "body": message["body"], "user_id": message.get("user_id"),
             "party_id": message.get("party_id"), "topic": message.get("topic", "")[:64]} for message in messages]
    return insert_rows(session, OutboxMessage.__table__, rows)


def message_id(row: OutboxMessage, domain: str) -> str:
    """The same Message-ID on every attempt, so a mailbox keeps a repeated delivery once."""
    return f"<portal-outbox-{row.id}@{domain}>"


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
            f.write(encode(message))
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
            self.connection.sendmail(message.sender, message.send_to, encode(message))
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


class OutboxDelivery(QueueDelivery):
    """Sends the due rows of the outbox through a transport built on a pyramid_mailer ``Mailer``."""

    model = OutboxMessage
    history = OutboxAttempt  # each attempt kept with the row's outcome (queue.py writes both at once)

    def __init__(self, session_factory, mailer, *, sender, domain, max_attempts=DEFAULT_MAX_ATTEMPTS,
                 clock=utcnow, transport=None):
        super().__init__(session_factory, max_attempts=max_attempts, clock=clock)
        self.transport = transport if transport is not None else transport_for(mailer)
        self.sender = sender
        self.domain = domain

    def message(self, row: OutboxMessage) -> Message:
        headers = {
            "Message-ID": message_id(row, self.domain),
            "Date": email.utils.format_datetime(row.created_at),
            "Auto-Submitted": "auto-generated",
        }
        return Message(subject=row.subject, sender=self.sender, recipients=[row.recipient],
                       body=row.body, extra_headers=headers)

    def due(self) -> tuple:
        return (OutboxMessage.channel == OutboxChannel.email.value,)

    def close(self) -> None:
        self.transport.close()

    def send(self, session, row: OutboxMessage, now: datetime, report: DeliveryReport) -> None:
        try:
            self.transport.send(self.message(row))
        except (OSError, smtplib.SMTPException) as exc:
            if self.failed(row, now, f"{type(exc).__name__}: {exc}", report, permanent=is_permanent(exc)):
                log.warning("outbox %s failed for good: %s", row.id, row.last_error)
            else:
                report.server_down = is_connection_error(exc)
                log.info("outbox %s will be retried at %s: %s", row.id, row.next_attempt_at, row.last_error)
            return
        self.sent(row, now, report)


def counts_by_state(session, channel=None) -> dict[str, int]:
    """How many rows (of ``channel``, or of both) wait, went and failed."""
    statement = select(OutboxMessage.state, func.count()).group_by(OutboxMessage.state)
    if channel is not None:
        statement = statement.where(OutboxMessage.channel == channel)
    rows = session.execute(statement)
    counts = {state.value: 0 for state in OutboxState}
    counts.update({state: n for state, n in rows})
    return counts


def retry_failed(session, ids=None, now=None) -> int:
    """Put failed messages back in the queue with a fresh count of attempts."""
    return requeue_failed(session, OutboxMessage, ids, now)


def attempts_of(session, message_id: int) -> list[OutboxAttempt]:
    """A row's delivery history, the first attempt first."""
    return session.scalars(select(OutboxAttempt).where(OutboxAttempt.message_id == message_id)
                           .order_by(OutboxAttempt.at, OutboxAttempt.id)).all()


def history_of(session, user_id: int, limit: int = 20) -> list[tuple[OutboxMessage, list[OutboxAttempt]]]:
    """The latest ``limit`` e-mails and SMS written to ``user_id``, each with its attempts (what the
    back office sees on a person)."""
    messages = session.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user_id)
                               .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc()).limit(limit)).all()
    attempts: dict[int, list[OutboxAttempt]] = {message.id: [] for message in messages}
    if messages:
        for attempt in session.scalars(select(OutboxAttempt).where(OutboxAttempt.message_id.in_(list(attempts)))
                                       .order_by(OutboxAttempt.at, OutboxAttempt.id)):
            attempts[attempt.message_id].append(attempt)
    return [(message, attempts[message.id]) for message in messages]


def prune_sent(session, days: int, now=None) -> int:
    """Forget e-mails and SMS sent more than ``days`` days ago (with their attempts); waiting and
    failed ones stay."""
    cutoff = (now or utcnow()) - timedelta(days=days)
    result = session.execute(delete(OutboxMessage).where(OutboxMessage.state == OutboxState.sent,
                                                         OutboxMessage.sent_at < cutoff))
    return result.rowcount
