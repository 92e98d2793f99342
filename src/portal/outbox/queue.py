"""The delivery queue under the outbox: rows written in the transaction of the change they report,
delivered by ``portal-worker`` one row per transaction, retried with a growing delay.

E-mails (services.py) and webhook POSTs (api/webhooks/) are both such rows: a
table with ``id``, ``state`` (``pending``, ``sent``, ``failed``), ``attempts``,
``next_attempt_at`` and ``last_error``, indexed on ``(state, next_attempt_at,
id)``. ``QueueDelivery`` claims the oldest due row (``FOR UPDATE SKIP LOCKED``
on PostgreSQL, so workers can run side by side), lets its subclass send it, and
commits what came of it with the row; a worker killed in between leaves the row
due, so nothing is lost and at most one row per crash goes twice.
"""
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import select, text

from portal.db.meta import utcnow

PENDING, SENT, FAILED = "pending", "sent", "failed"
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
ERROR_LENGTH = 500


def retry_delay(attempts: int) -> timedelta:
    """1, 2, 4 … minutes after each failed attempt, never more than six hours."""
    doublings = min(max(attempts - 1, 0), 16)  # 2**16 minutes is already past the cap
    return min(FIRST_RETRY * 2 ** doublings, LAST_RETRY)


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


def requeue_failed(session, model, ids=None, now=None) -> int:
    """Put failed rows of ``model`` (all, or those of ``ids``) back in the queue with a fresh count of
    attempts; how many."""
    stmt = select(model).where(model.state == FAILED)
    if ids is not None:
        stmt = stmt.where(model.id.in_(ids))
    rows = session.scalars(stmt).all()
    for row in rows:
        row.state = PENDING
        row.attempts = 0
        row.next_attempt_at = now or utcnow()
    return len(rows)


class QueueDelivery:
    """Delivers the due rows of one queue table (``model``), each in a transaction of its own.

    A subclass gives ``send(session, row, now, report)``, which tries the row
    once and calls ``sent`` or ``failed``; ``due()`` for conditions beyond being
    pending and due; ``close()`` to let go of a connection kept for the round.
    """

    model = None

    def __init__(self, session_factory, *, max_attempts, clock=utcnow):
        self.session_factory = session_factory
        self.max_attempts = max_attempts
        self.clock = clock

    def due(self) -> tuple:
        """More conditions a row must meet to be claimed."""
        return ()

    def send(self, session, row, now: datetime, report: DeliveryReport) -> None:
        raise NotImplementedError

    def close(self) -> None:
        """End of a round."""

    def deliver(self, limit: int) -> DeliveryReport:
        """Up to ``limit`` due rows; stops early when none is due or the server is down."""
        report = DeliveryReport()
        try:
            while report.attempted < limit and not report.server_down:
                if not self.deliver_one(report):
                    break
        finally:
            self.close()
        return report

    def deliver_one(self, report: DeliveryReport) -> bool:
        """Send the oldest due row in its own transaction; False when none is due."""
        model = self.model
        session = self.session_factory()
        try:
            with session.begin():
                if session.get_bind().dialect.name == "postgresql":
                    # Not waiting for the disk on commit: a crash of the database may forget
                    # that a row was sent (it is sent again), never that it is due. Nearly
                    # twice the rows per second.
                    session.execute(text("SET LOCAL synchronous_commit TO OFF"))
                now = self.clock()
                row = session.scalars(
                    select(model)
                    .where(model.state == PENDING, model.next_attempt_at <= now, *self.due())
                    .order_by(model.next_attempt_at, model.id)
                    .limit(1)
                    .with_for_update(skip_locked=True, of=model)
                ).first()
                if row is None:
                    return False
                row.attempts += 1
                self.send(session, row, now, report)
            return True
        finally:
            session.close()

    @staticmethod
    def sent(row, now: datetime, report: DeliveryReport) -> None:
        row.state = SENT
        row.sent_at = now
        row.last_error = None
        report.sent += 1

    def failed(self, row, now: datetime, error: str, report: DeliveryReport, *, permanent=False) -> bool:
        """Record a failed attempt: the row waits for its next one, or, refused for good or out of
        attempts, is marked failed (True)."""
        row.last_error = error[:ERROR_LENGTH]
        report.errors.append(row.last_error)
        if permanent or row.attempts >= self.max_attempts:
            row.state = FAILED
            report.failed += 1
            return True
        row.next_attempt_at = now + retry_delay(row.attempts)
        report.retried += 1
        return False
