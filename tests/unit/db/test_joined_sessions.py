"""Sessions of the application's factory follow the transaction manager they were made with
(db/joined.py: zope.sqlalchemy's events registered once on the factory, not on each session)."""
import pytest
import transaction
from sqlalchemy import create_engine, func, select, text, update

from portal.db import get_session_factory, get_tm_session
from portal.db.meta import Base
from portal.parties.models import Party


@pytest.fixture
def factory(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'joined.sqlite'}")
    factory = get_session_factory(engine)
    Base.metadata.create_all(engine, tables=[Party.__table__])
    yield factory
    engine.dispose()


@pytest.fixture
def manager():
    """A begun transaction of a manager of its own, as pyramid_tm gives each request."""
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    return manager


def names(factory):
    with factory() as session:
        return session.scalars(select(Party.name).order_by(Party.name)).all()


def test_a_session_made_with_a_manager_commits_when_its_transaction_commits(factory, manager):
    get_tm_session(factory, manager).add(Party(name="Kept"))
    assert names(factory) == []
    manager.commit()
    assert names(factory) == ["Kept"]


def test_an_aborted_transaction_leaves_nothing(factory, manager):
    session = get_tm_session(factory, manager)
    session.add(Party(name="Dropped"))
    session.flush()
    manager.abort()
    assert names(factory) == []


def test_a_bulk_update_alone_is_committed(factory, manager):
    with factory() as session:
        session.add(Party(name="Old"))
        session.commit()
    get_tm_session(factory, manager).execute(update(Party).values(name="New"))
    manager.commit()
    assert names(factory) == ["New"]


def test_a_textual_write_marked_changed_is_committed(factory, manager):
    from zope.sqlalchemy import mark_changed

    session = get_tm_session(factory, manager)
    session.execute(text("INSERT INTO parties (name, state, created_at) VALUES ('Raw', 'active', '2026-01-01 00:00:00')"))
    mark_changed(session, manager)
    manager.commit()
    assert names(factory) == ["Raw"]


def test_a_joined_session_cannot_commit_by_itself(factory, manager):
    session = get_tm_session(factory, manager)
    session.add(Party(name="Early"))
    with pytest.raises(AssertionError, match="transaction manager"):
        session.commit()
    manager.abort()
    assert names(factory) == []


def test_each_session_follows_its_own_manager(factory):
    first, second = transaction.TransactionManager(explicit=True), transaction.TransactionManager(explicit=True)
    first.begin()
    second.begin()
    get_tm_session(factory, first).add(Party(name="First"))
    get_tm_session(factory, second).add(Party(name="Second"))
    second.abort()
    first.commit()
    assert names(factory) == ["First"]


def test_a_session_without_a_manager_commits_by_itself(factory):
    with factory() as session:
        session.add(Party(name="Script"))
        session.commit()
    assert names(factory) == ["Script"]
    with factory() as session:
        assert session.scalar(select(func.count()).select_from(Party)) == 1
