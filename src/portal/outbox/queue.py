"""The delivery queue under the outbox: rows written in the transaction of the change they report,
delivered by ``portal-worker`` in claimed batches, each row's outcome committed on its own, retried
with a growing delay.

E-mails (services.py), SMS (sms.py) and webhook POSTs (api/webhooks/) are all such rows: a table with
``id``, ``state`` (``pending``, ``sent``, ``failed``), ``attempts``, ``next_attempt_at`` and
``last_error``, indexed on ``(state, next_attempt_at, id)``.

**Claim.** ``QueueDelivery`` claims a batch of the oldest due rows (up to ``CLAIM`` of them) with one
statement, ``UPDATE … SET next_attempt_at = <lease> WHERE id IN (SELECT … ORDER BY next_attempt_at, id
LIMIT n FOR UPDATE SKIP LOCKED) RETURNING …``: the rows' next attempt moves to the end of a lease
(``LEASE`` from now). The lease is the claim: until it ends no other worker finds the rows due. The row
locks only keep two claims made at the same moment apart: the second skips the rows the first has
locked, and a row the first has claimed and committed no longer matches when the second reaches it.
(SQLite has no locking clause and runs one worker.)

**Each row.** The worker then sends the batch's rows one by one (over one SMTP connection, services.py)
and stores each outcome — sent, to retry at a later time, failed — with its attempt, right after the
server answered, on its own (on PostgreSQL one statement, the update a CTE of the attempt's insert).
The outcome is written only while the row still holds this claim's lease (``next_attempt_at`` equal to
it). Rows the round does not get to (the server is down, the lease runs short) are given back at once:
due again as of the claim's time. Every step being one statement, the worker's connections commit each
by itself (``engine_options``).

**A killed worker loses nothing and repeats at most one row.** Killed between the server's answer and
the commit of that row's outcome, the row is still pending: when the lease ends it is sent again (an
e-mail with the same Message-ID, an SMS with the same reference, which mailbox and gateway keep once).
That is the one repeat. The rows of its batch it had not sent yet are pending too and go when the lease
ends, once. Committing the outcomes in groups of *k* would save commits but repeat up to *k* rows per
kill, because the server's "accepted" and the database's "sent" cannot be one atomic step: so each is
committed alone. The price of a crash is a delay of at most ``LEASE`` for the rest of its batch.

**A worker too slow for its lease.** A worker stops sending its batch when less than ``MARGIN`` of the
lease is left (a send times out well within it) and gives the rest back. Should a send still outlast the
lease and another worker claim the row meanwhile, the outcome finds the lease changed: nothing is
written, the round stops, and that one row is the repeat.
"""
import contextlib
import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, insert, inspect, select, update

from portal.db.meta import utcnow
from portal.outbox.models import AttemptOutcome

log = logging.getLogger(__name__)

PENDING, SENT, FAILED = "pending", "sent", "failed"
OUTCOMES = {SENT: AttemptOutcome.sent, FAILED: AttemptOutcome.failed}  # the attempt's record; else a retry
FIRST_RETRY = timedelta(minutes=1)
LAST_RETRY = timedelta(hours=6)
ERROR_LENGTH = 500
CLAIM = 100  # rows per claim: one claim's cost spread over many rows, a crash's delay over few
LEASE = timedelta(seconds=30)  # how long a claim keeps its rows from other workers
MARGIN = timedelta(seconds=15)  # lease left below which a worker sends no more of its batch
HELD = "portal.queue.held"  # session.info: the round holds its connection, each statement committing itself


def engine_options(url: str) -> dict:
    """How ``portal-worker`` connects (``get_engine(settings, **engine_options(url))``).

    On PostgreSQL every statement commits by itself: each step of the queue (a claim, a row's
    outcome with its attempt, a give-back) is one statement, whole or not at all, so a BEGIN and a
    COMMIT around it would add two round trips and nothing else, and a round keeps one connection
    instead of taking one from the pool per row (``autocommits``). And a commit does not wait for the
    disk: a crash of the database may forget that a row was sent or claimed (it is sent again, with
    the same Message-ID), never that it is due, which the portal's own transaction wrote. SQLite
    keeps its transactions.
    """
    if not url.startswith("postgresql"):
        return {}
    return {"execution_options": {"isolation_level": "AUTOCOMMIT"},
            "connect_args": {"options": "-c synchronous_commit=off"}}


def autocommits(session) -> bool:
    """Whether ``session``'s statements commit each by itself (the worker's engine on PostgreSQL): then a
    round holds one connection throughout, and its steps need no transaction of their own."""
    bind = session.get_bind()
    return isinstance(bind, Engine) and bind.get_execution_options().get("isolation_level") == "AUTOCOMMIT"


def step(session):
    """A step of a round (a claim, a row's outcome, a give-back): a transaction of its own, unless each
    statement commits itself."""
    return contextlib.nullcontext() if session.info.get(HELD) else session.begin()


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


@dataclass(frozen=True)
class Claim:
    """Rows leased to one worker: copies of them, the lease's end, and when they were claimed."""

    rows: list
    lease: datetime
    at: datetime


class QueueDelivery:
    """Delivers the due rows of one queue table (``model``): claimed in batches, each row's outcome
    committed on its own (the module's docstring says why).

    A subclass gives ``send(session, row, now, report)``, which tries the row
    once and calls ``sent`` or ``failed``; ``due()`` for conditions beyond being
    pending and due; ``close()`` to let go of a connection kept for the round.
    The rows it is given are copies, attached to no session: what it changes on
    them is written by the queue, under the claim's lease.
    """

    model = None
    history = None  # the model of each attempt's record (message_id, at, outcome, error), if the queue keeps one

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
        session = self.session_factory()  # one for the round, each step in a transaction of its own
        if autocommits(session):
            session.begin()  # keeps one connection for the round (no pool checkout per row); commits nothing
            session.info[HELD] = True
        try:
            while report.attempted < limit and not report.server_down:
                claim = self.claim(session, min(CLAIM, limit - report.attempted))
                if not claim.rows or not self.deliver_claimed(session, claim, report):
                    break
        finally:
            session.close()
            self.close()
        return report

    def claim(self, session, count: int) -> "Claim":
        """The oldest ``count`` due rows, leased to this worker by one statement, as detached copies."""
        table = self.model.__table__
        now = self.clock()
        lease = now + LEASE
        due = (select(table.c.id)
               .where(table.c.state == PENDING, table.c.next_attempt_at <= now, *self.due())
               .order_by(table.c.next_attempt_at, table.c.id)
               .limit(count)
               .with_for_update(skip_locked=True))
        with step(session):
            found = session.execute(update(table).where(table.c.id.in_(due)).values(next_attempt_at=lease)
                                    .returning(*table.c)).mappings().all()
        return Claim(sorted((self._copy(values) for values in found), key=lambda row: row.id), lease, now)

    def _copy(self, values):
        """A detached instance of ``model`` holding ``values``, and those values as claimed."""
        row = self.model(**{prop.key: values[prop.columns[0].name] for prop in inspect(self.model).column_attrs})
        row._claimed = dict(values)
        return row

    def deliver_claimed(self, session, claim: "Claim", report: DeliveryReport) -> bool:
        """Send the claim's rows one by one, each outcome stored alone; give back those not tried.
        False when the round must stop (its lease was lost or runs short)."""
        waiting = list(claim.rows)
        try:
            while waiting and not report.server_down:
                now = self.clock()
                if now >= claim.lease - MARGIN:
                    return False
                if not self.deliver_one(session, waiting.pop(0), now, claim.lease, report):
                    return False
            return True
        finally:
            if waiting:
                self.give_back(session, waiting, claim)

    def deliver_one(self, session, row, now: datetime, lease: datetime, report: DeliveryReport) -> bool:
        """Try ``row`` once and store what came of it, unless its lease has gone to another worker (False)."""
        with step(session):
            row.attempts += 1
            self.send(session, row, now, report)
            if not self.write(session, row, now, lease):
                log.warning("%s %s: its lease passed to another worker; this round stops",
                            self.model.__tablename__, row.id)
                return False
        return True

    def write(self, session, row, now: datetime, lease: datetime) -> bool:
        """Store what ``send`` changed on ``row`` (its ``next_attempt_at`` too, which ends the lease) and
        the attempt's record, if the row still holds ``lease``: on PostgreSQL one statement."""
        changed = {name: getattr(row, key) for name, key in self._columns
                   if name == "next_attempt_at" or getattr(row, key) != row._claimed[name]}
        params = {"row_id": row.id, "lease": lease, **{f"new_{name}": value for name, value in changed.items()}}
        together = self.history is not None and session.get_bind().dialect.name == "postgresql"
        mark, record = self._statements(tuple(changed), together)
        if self.history is not None:
            params.update(at=now, outcome=OUTCOMES.get(row.state, AttemptOutcome.retry).value,
                          error=None if row.state == SENT else row.last_error)
        connection = session.connection()  # Core statements: the ORM's execution would only add its cost
        if together:
            return connection.execute(mark, params).first() is not None
        if connection.execute(mark, params).rowcount != 1:
            return False
        if record is not None:
            connection.execute(record, params)
        return True

    @functools.cached_property
    def _columns(self) -> list[tuple[str, str]]:
        """(column name, attribute name) of each of the model's columns."""
        return [(prop.columns[0].name, prop.key) for prop in inspect(self.model).column_attrs]

    @functools.cache  # noqa: B019  (a few statements per delivery, which lives for the worker's life)
    def _statements(self, columns: tuple, together: bool):
        """The guarded update of ``columns`` and the insert of the attempt's record, as bound
        statements built once (each row then costs its execution only); ``together``: one statement,
        the update a CTE of the insert (PostgreSQL)."""
        table = self.model.__table__
        mark = (update(table).where(table.c.id == bindparam("row_id"), table.c.next_attempt_at == bindparam("lease"))
                .values({name: bindparam(f"new_{name}") for name in columns}))
        if self.history is None:
            return mark, None
        history = self.history.__table__
        attempt = {name: bindparam(name, type_=history.c[name].type) for name in ("at", "outcome", "error")}
        if not together:
            return mark, insert(history).values(message_id=bindparam("row_id"), **attempt)
        marked = mark.returning(table.c.id).cte("marked")
        # RETURNING, since the driver's row count of an INSERT … SELECT does not reach SQLAlchemy's result.
        return (insert(history).from_select(["message_id", *attempt], select(marked.c.id, *attempt.values()))
                .returning(history.c.id)), None

    def give_back(self, session, rows: list, claim: "Claim") -> None:
        """Rows claimed but not tried: due again at once, as of the claim's time."""
        table = self.model.__table__
        with step(session):
            session.execute(update(table).where(table.c.id.in_([row.id for row in rows]),
                                                table.c.next_attempt_at == claim.lease)
                            .values(next_attempt_at=claim.at))

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
