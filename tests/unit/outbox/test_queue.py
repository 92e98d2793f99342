"""The queue's claim: batches leased to one worker, each row's outcome stored alone, the lease keeping
other workers off while it lasts and giving a dead worker's rows back when it ends."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from portal.db import get_engine
from portal.db.meta import utcnow
from portal.outbox.models import OutboxAttempt, OutboxMessage, OutboxState
from portal.outbox.queue import LEASE, MARGIN, DeliveryReport, engine_options
from portal.outbox.services import OutboxDelivery, enqueue


@pytest.fixture
def factory(migrated_engine):
    """Sessions that commit for real; the outbox emptied afterwards."""
    make = sessionmaker(bind=migrated_engine, expire_on_commit=False)
    yield make
    with make() as session, session.begin():
        session.execute(delete(OutboxMessage))


def add(factory, count):
    with factory() as session, session.begin():
        rows = [enqueue(session, recipient=f"user{i}@example.test", subject=f"Subject {i}", body=f"Body {i}")
                for i in range(count)]
        session.flush()
        return [row.id for row in rows]


class Clock:
    def __init__(self):
        self.now = utcnow()

    def __call__(self):
        return self.now


class Transport:
    """Records the Message-ID of each message the server accepted; ``fail`` makes it refuse them."""

    def __init__(self, fail=None, on_send=None):
        self.accepted, self.fail, self.on_send = [], fail, on_send
        self.lock = threading.Lock()

    def send(self, message):
        if self.on_send:
            self.on_send()
        if self.fail:
            raise self.fail
        with self.lock:
            self.accepted.append(message.extra_headers["Message-ID"])

    def close(self):
        pass


def delivery(factory, transport, clock=utcnow):
    return OutboxDelivery(factory, None, sender="portal@example.test", domain="example.test", clock=clock,
                          transport=transport)


def mid(row_id):
    return f"<portal-outbox-{row_id}@example.test>"


def states(factory):
    with factory() as session:
        return {row.id: (row.state, row.attempts) for row in session.scalars(select(OutboxMessage))}


def attempts(factory):
    with factory() as session:
        return session.scalars(select(OutboxAttempt.message_id).order_by(OutboxAttempt.id)).all()


def test_a_claim_leases_its_rows_until_the_lease_ends(factory):
    ids = add(factory, 3)
    clock = Clock()
    dead = delivery(factory, Transport(), clock)
    with factory() as session:
        claim = dead.claim(session, 10)  # a worker that claims, then is killed before it sends anything
    assert [row.id for row in claim.rows] == ids and claim.lease == clock.now + LEASE
    transport = Transport()
    assert delivery(factory, transport, clock).deliver(10).attempted == 0  # leased: not due for another worker
    clock.now += LEASE
    assert delivery(factory, transport, clock).deliver(10).sent == 3
    assert transport.accepted == [mid(i) for i in ids]  # each once, nothing lost
    assert states(factory) == {i: (OutboxState.sent, 1) for i in ids} and attempts(factory) == ids


def test_a_worker_killed_after_the_server_accepted_repeats_that_one_message_only(factory):
    ids = add(factory, 4)
    clock = Clock()

    class Killed(Transport):
        def send(self, message):
            super().send(message)
            raise KeyboardInterrupt  # the process dies between the server's answer and the commit

    killed = Killed()
    with pytest.raises(KeyboardInterrupt):
        delivery(factory, killed, clock).deliver(10)
    assert killed.accepted == [mid(ids[0])]
    assert set(states(factory).values()) == {(OutboxState.pending, 0)} and attempts(factory) == []
    later = Transport()
    clock.now += LEASE
    assert delivery(factory, later, clock).deliver(10).sent == 4
    assert later.accepted == [mid(i) for i in ids]
    assert len(killed.accepted + later.accepted) - len(ids) == 1  # one repeat on the wire, same Message-ID


def test_a_worker_whose_lease_was_taken_writes_nothing_and_stops(factory):
    ids = add(factory, 3)
    slow_clock, clock = Clock(), Clock()
    slow = delivery(factory, Transport(), slow_clock)  # its clock behind the other's (or its send hung)
    with factory() as session:
        claim = slow.claim(session, 10)
    clock.now = slow_clock.now + LEASE  # for the other worker the lease has ended: it claims the rows
    other = Transport()
    with factory() as session:
        taken = delivery(factory, other, clock).claim(session, 10)
    assert [row.id for row in taken.rows] == ids
    with factory() as session:
        assert slow.deliver_claimed(session, claim, DeliveryReport()) is False
    assert slow.transport.accepted == [mid(ids[0])]  # sent one, then found the lease gone: the round stopped
    assert set(states(factory).values()) == {(OutboxState.pending, 0)} and attempts(factory) == []
    with factory() as session:
        assert delivery(factory, other, clock).deliver_claimed(session, taken, DeliveryReport()) is True
    assert other.accepted == [mid(i) for i in ids] and attempts(factory) == ids


def test_rows_a_round_does_not_get_to_are_given_back_at_once(factory):
    ids = add(factory, 3)
    clock = Clock()
    down = Transport(fail=ConnectionRefusedError(111, "Connection refused"))
    report = delivery(factory, down, clock).deliver(10)
    assert (report.retried, report.server_down) == (1, True)
    with factory() as session:
        rows = {row.id: row for row in session.scalars(select(OutboxMessage))}
    assert rows[ids[0]].next_attempt_at == clock.now + timedelta(minutes=1)  # tried: waits its retry
    assert [rows[i].next_attempt_at for i in ids[1:]] == [clock.now] * 2  # not tried: due again now
    up = Transport()
    assert delivery(factory, up, clock).deliver(10).sent == 2 and up.accepted == [mid(i) for i in ids[1:]]


def test_a_round_stops_before_its_lease_runs_short(factory):
    ids = add(factory, 3)
    clock = Clock()
    transport = Transport()

    def slow_server():
        clock.now += LEASE - MARGIN  # the first send takes all the time the lease allows

    transport.on_send = slow_server
    report = delivery(factory, transport, clock).deliver(10)
    assert report.sent == 1 and transport.accepted == [mid(ids[0])]
    assert delivery(factory, Transport(), clock).deliver(10).sent == 2  # the rest were given back, due now


def test_on_the_workers_engine_each_outcome_is_stored_as_the_server_answers(migrated_engine, factory):
    """portal-worker's engine (on PostgreSQL each statement commits itself, and a round keeps its
    connection): a worker killed in the middle of a batch has stored the outcome of every row before."""
    url = migrated_engine.url.render_as_string(hide_password=False)
    engine = get_engine({"sqlalchemy.url": url}, **engine_options(url))
    try:
        workers = sessionmaker(bind=engine, expire_on_commit=False)
        ids = add(workers, 4)

        class DiesAtTheThird(Transport):
            def send(self, message):
                if len(self.accepted) == 2:
                    raise KeyboardInterrupt  # killed before the server took the third
                super().send(message)

        with pytest.raises(KeyboardInterrupt):
            delivery(workers, DiesAtTheThird()).deliver(10)
    finally:
        engine.dispose()
    assert states(factory) == {ids[0]: (OutboxState.sent, 1), ids[1]: (OutboxState.sent, 1),
                               ids[2]: (OutboxState.pending, 0), ids[3]: (OutboxState.pending, 0)}
    assert attempts(factory) == ids[:2]


@pytest.fixture
def postgresql(migrated_engine):
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("workers side by side need PostgreSQL (FOR UPDATE SKIP LOCKED); SQLite runs one")
    return migrated_engine


def test_two_claims_at_the_same_moment_take_disjoint_rows(postgresql, factory):
    ids = add(factory, 6)
    first, second = delivery(factory, Transport()), delivery(factory, Transport())
    with postgresql.connect() as conn:
        conn.begin()  # the first claim's statement has run, its transaction not yet committed
        held = first.claim(Session(bind=conn, join_transaction_mode="create_savepoint"), 3)
        with factory() as session:
            meanwhile = second.claim(session, 3)  # skips the rows the first has locked
        conn.commit()
    with factory() as session:
        after = second.claim(session, 3)  # the first's rows are leased now: nothing left
    assert [row.id for row in held.rows] == ids[:3]
    assert [row.id for row in meanwhile.rows] == ids[3:]
    assert after.rows == []


def test_two_workers_side_by_side_send_every_row_once(postgresql, factory):
    ids = add(factory, 300)
    transports = [Transport(), Transport()]
    workers = [threading.Thread(target=delivery(factory, transport).deliver, args=(300,)) for transport in transports]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    accepted = transports[0].accepted + transports[1].accepted
    assert sorted(accepted) == sorted(mid(i) for i in ids)  # every one, none twice
    assert all(transport.accepted for transport in transports)  # both did part of the work
    assert set(states(factory).values()) == {(OutboxState.sent, 1)}
    assert sorted(attempts(factory)) == ids
