"""Publishing feed events, serving them in commit order, and each consumer's acknowledgements.

**Publishing.** ``publish`` writes the event (and a delivery per active webhook of
its kind, webhooks/services.py) in the caller's transaction: a rolled-back change
publishes nothing.

**Commit order.** Consumers read "everything after my cursor", so an event must
never become visible behind a cursor already handed out. Ids are drawn at
INSERT, and on PostgreSQL two transactions can commit the other way round. So
an event's place is drawn while its transaction commits (``place_in_commit_order``,
the connection's ``commit`` event): holding a transaction-scoped advisory lock
per kind, the transaction draws one number of the ``feed_commit_seq`` sequence
for its events, then commits, and only then is the lock released, after its
events became visible. Of two transactions publishing a kind, the one that
commits later draws the larger number, so whatever commits after a read sorts
after everything that read served; events are served in ``(seq, id)`` order. The
lock is held only for that UPDATE and the COMMIT (every other write of the
transaction is flushed before the commit starts), and taken in the order of the
kinds' names, so it can wait but never deadlock; a transaction that writes
without publishing, however long, holds nothing back. On SQLite one writer holds
the database from its first write to its commit, so id order is commit order and
``seq`` is 0.

**Acknowledgements** are per API key and kind (``FeedPosition``): a read without
a cursor, or with one behind the acknowledged place, starts at that place, so
nothing acknowledged is served again; an acknowledgement must name an event of
the kind that was served to that key, and may not go back.
"""
import zlib
from dataclasses import dataclass

from sqlalchemy import event as sa_event
from sqlalchemy import select, tuple_
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from portal.api.feed.events import START, Position
from portal.api.feed.models import FeedEvent, FeedPosition
from portal.api.services import jsonable
from portal.api.webhooks.services import queue_deliveries
from portal.db.meta import utcnow
from portal.i18n import _

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
# The connection's info: (kind, event id) of the events its open transaction published.
UNPLACED = "portal.feed.unplaced"
LOCK_CLASS = 0x0FEED  # pg_advisory_xact_lock(class, kind): the feed's locks among any others
LOCK_SQL = "SELECT pg_advisory_xact_lock(%s, %s)"
PLACE_SQL = "UPDATE feed_events SET seq = (SELECT nextval('feed_commit_seq')) WHERE id = ANY(%s)"


class AckRefused(Exception):
    """An acknowledgement that cannot be taken; ``message`` is translatable, ``status`` 400 or 409."""

    def __init__(self, message, status):
        super().__init__(str(message))
        self.message = message
        self.status = status


def is_postgresql(db) -> bool:
    return db.get_bind().dialect.name == "postgresql"


def lock_key(kind: str) -> int:
    """A kind's advisory lock key: a signed 32-bit hash of its name (two kinds sharing one only wait
    for each other)."""
    return zlib.crc32(kind.encode("utf-8")) - 2 ** 31


def publish(db, kind: str, payload: dict) -> FeedEvent:
    """An event of ``kind`` in the caller's transaction, with a delivery for each active webhook of
    the kind. ``payload`` is made JSON as the API writes values (dates in ISO 8601, Decimals as
    strings). On PostgreSQL its place in the feed is drawn when the transaction commits."""
    postgresql = is_postgresql(db)
    event = FeedEvent(kind=kind, payload=jsonable(payload), seq=None if postgresql else 0)
    db.add(event)
    db.flush()
    if postgresql:
        db.connection().info.setdefault(UNPLACED, []).append((kind, event.id))
    queue_deliveries(db, event)
    return event


@sa_event.listens_for(Engine, "commit")
def place_in_commit_order(connection) -> None:
    """Draw the commit's place for the events its transaction published (see the module), on the
    driver's cursor: the transaction is committing, past SQLAlchemy's statements."""
    unplaced = connection.info.pop(UNPLACED, None)
    if not unplaced:
        return
    cursor = connection.connection.cursor()
    try:
        for kind in sorted({kind for kind, _id in unplaced}):
            cursor.execute(LOCK_SQL, (LOCK_CLASS, lock_key(kind)))
        cursor.execute(PLACE_SQL, ([event_id for _kind, event_id in unplaced],))
    finally:
        cursor.close()


@sa_event.listens_for(Engine, "rollback")
def forget_unplaced(connection) -> None:
    """A rolled-back transaction's events are gone, and so is the note of them."""
    connection.info.pop(UNPLACED, None)


def position(db, key_id: int, kind: str, *, lock=False) -> FeedPosition | None:
    statement = select(FeedPosition).where(FeedPosition.key_id == key_id, FeedPosition.kind == kind)
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return db.scalars(statement).first()


def position_for_update(db, key_id: int, kind: str) -> FeedPosition:
    """The key's position in ``kind``, locked (made at the start the first time): a consumer's reads
    and acknowledgements of one kind take their turns."""
    found = position(db, key_id, kind, lock=True)
    if found is not None:
        return found
    try:
        with db.begin_nested():
            db.add(FeedPosition(key_id=key_id, kind=kind))
    except IntegrityError:  # made meanwhile by a read of the same key
        pass
    return position(db, key_id, kind, lock=True)


def acked(pos: FeedPosition | None) -> Position:
    return Position(pos.acked_seq, pos.acked_id) if pos is not None else START


def served(pos: FeedPosition | None) -> Position:
    return Position(pos.served_seq, pos.served_id) if pos is not None else START


def events_after(db, kind: str, after: Position, limit: int) -> list[FeedEvent]:
    """Up to ``limit`` events of ``kind`` after ``after``, in commit order (see the module)."""
    return db.scalars(
        select(FeedEvent)
        .where(FeedEvent.kind == kind, FeedEvent.seq.is_not(None), tuple_(FeedEvent.seq, FeedEvent.id) > tuple_(*after))
        .order_by(FeedEvent.seq, FeedEvent.id).limit(limit)
    ).all()


@dataclass(frozen=True)
class FeedPage:
    """What one read serves: the events, whether more wait, where the next read starts, and the
    consumer's acknowledged place."""

    events: list
    more: bool
    next: Position | None
    acked: Position


def read_feed(db, key_id: int, kind: str, *, after: Position | None = None, limit: int = DEFAULT_LIMIT) -> FeedPage:
    """The events of ``kind`` for API key ``key_id`` after ``after`` (never before its acknowledged
    place); the furthest served is remembered, for the acknowledgement to be checked against."""
    pos = position(db, key_id, kind)
    start = max(after or START, acked(pos))
    found = events_after(db, kind, start, limit + 1)
    events, more = found[:limit], len(found) > limit
    if events:
        last = Position.of(events[-1])
        pos = position_for_update(db, key_id, kind)
        if last > served(pos):
            pos.served_seq, pos.served_id = last
            pos.served_at = utcnow()
    nxt = Position.of(events[-1]) if events else (start if start != START else None)
    return FeedPage(events, more, nxt, acked(pos))


def acknowledge(db, key_id: int, kind: str, cursor: Position) -> Position:
    """Record that API key ``key_id`` has processed every event of ``kind`` up to ``cursor``.

    Raises AckRefused: 400 for a cursor that names no event of the kind, 409
    for one not yet served to this key or behind what it acknowledged. The
    same acknowledgement again is taken (a retry after a lost answer).
    """
    event = db.get(FeedEvent, cursor.id)
    if event is None or event.kind != kind or event.seq != cursor.seq:
        raise AckRefused(_("This cursor names no event of this feed."), 400)
    pos = position_for_update(db, key_id, kind)
    if cursor > served(pos):
        raise AckRefused(_("This event has not been served to this API key yet: acknowledge only what a read "
                           "returned."), 409)
    if cursor < acked(pos):
        raise AckRefused(_("An event after this one is already acknowledged: acknowledgements cannot go back."),
                         409)
    if cursor != acked(pos):
        pos.acked_seq, pos.acked_id = cursor
        pos.acked_at = utcnow()
    return cursor


def party_reference(party) -> dict:
    """How a payload names a party (schemas.PartyReference)."""
    return {"id": party.id, "external_id": party.external_id}


def move_fields(event) -> dict:
    """The fields a payload of a workflow move has (schemas.MoveSchema), from its ``TransitionApplied``."""
    return {"party": party_reference(event.item.party), "transition": event.transition,
            "from_state": event.from_state, "state": event.to_state, "comment": event.comment or "",
            "moved_at": event.context.now}
