"""Two transactions on two real connections commit the other way round from the order they wrote
their events in: the one committed first is served first, and the one written first still comes
after it, nothing skipped and nothing twice after the acknowledgements. A long transaction that
publishes nothing holds nothing back, and a commit waits for another of the same kind to finish.

PostgreSQL only: SQLite has one writer at a time, holding the database from its first write to its
commit, so there id order is commit order.
"""
import threading

import pytest
from sqlalchemy import select, text

from portal.api.feed.models import FeedEvent
from portal.api.feed.services import LOCK_CLASS, lock_key, publish
from tests.functional.api.committed import ack, committed, drain, ids, read, read_until  # noqa: F401

KIND = "requests"


@pytest.fixture
def consumer(app, committed):  # noqa: F811
    if app.registry["db_engine"].dialect.name != "postgresql":
        pytest.skip("SQLite serialises writers: id order is commit order, nothing can commit out of it")
    token, browser = committed.key(), committed.browser()
    drain(committed, browser, token, KIND)
    return token, browser


def test_events_committed_out_of_id_order_come_in_commit_order_none_skipped(committed, consumer):  # noqa: F811
    token, browser = consumer
    t1, t2 = committed.factory(), committed.factory()
    try:
        first_written = publish(t1, KIND, {"from": "T1"})  # T1 stays open
        second_written = publish(t2, KIND, {"from": "T2"})
        committed.event_ids += [first_written.id, second_written.id]
        assert first_written.id < second_written.id
        t2.commit()
        page = read(browser, token, KIND)
        assert ids(page) == [second_written.id]  # committed, so served; T1's is not there yet
        ack(browser, token, KIND, page["next"])
        t1.commit()
        later = read(browser, token, KIND)
        assert ids(later) == [first_written.id]  # after the acknowledged cursor: not skipped
        ack(browser, token, KIND, later["next"])
        assert read(browser, token, KIND)["events"] == []
    finally:
        t1.close()
        t2.close()
    with committed.factory() as session:
        seqs = {e.id: e.seq for e in session.scalars(select(FeedEvent).where(
            FeedEvent.id.in_([first_written.id, second_written.id])))}
    assert seqs[second_written.id] < seqs[first_written.id]


def test_a_long_transaction_that_publishes_nothing_holds_nothing_back(committed, consumer):  # noqa: F811
    token, browser = consumer
    long = committed.factory()
    try:
        long.execute(text("SELECT pg_current_xact_id()"))  # a writing transaction, left open
        event_id = committed.publish(KIND, {"n": 1})
        assert ids(read(browser, token, KIND)) == [event_id]
    finally:
        long.close()


def test_a_commit_waits_while_another_transaction_of_the_kind_commits(committed, consumer):  # noqa: F811
    token, browser = consumer
    holder, writer = committed.factory(), committed.factory()
    try:
        holder.execute(text("SELECT pg_advisory_xact_lock(:c, :k)"), {"c": LOCK_CLASS, "k": lock_key(KIND)})
        event = publish(writer, KIND, {"n": 2})
        committed.event_ids.append(event.id)
        committing = threading.Thread(target=writer.commit)
        committing.start()
        committing.join(0.5)
        assert committing.is_alive()  # waiting for the kind's lock, at its commit
        assert read(browser, token, KIND)["events"] == []
        holder.rollback()
        committing.join(10)
        assert not committing.is_alive()
        assert ids(read_until(browser, token, KIND, [event.id])) == [event.id]
    finally:
        holder.close()
        writer.close()
