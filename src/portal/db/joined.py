"""zope.sqlalchemy's session events, registered once on the application's session factory.

``zope.sqlalchemy.register(session, transaction_manager=…)`` adds seven event
listeners to each session it is given; for a request's session that cost more
than a quarter of a millisecond, a twentieth of a page that reads its user and
counters only. Registered on the factory instead, the same events serve every
session it makes, and each session names its own transaction manager (pyramid_tm
gives every request its own) in ``session.info``. A session made without one (a
script's, which commits by itself) is left alone, as an unregistered session is.
"""
from sqlalchemy import event
from transaction._transaction import Status as ZopeStatus
from zope.sqlalchemy.datamanager import STATUS_ACTIVE, join_transaction, mark_changed

MANAGER_KEY = "transaction_manager"


def _manager(session):
    return session.info.get(MANAGER_KEY)


def _join(session, *args):
    """after_begin, after_attach: the session joins its manager's transaction."""
    manager = _manager(session)
    if manager is not None:
        join_transaction(session, STATUS_ACTIVE, manager, False)


def _changed(session):
    manager = _manager(session)
    if manager is not None:
        mark_changed(session, manager, False)


def _flushed(session, flush_context):
    _changed(session)


def _bulk_written(context):
    """after_bulk_update, after_bulk_delete."""
    _changed(context.session)


def _executed(execute_state):
    if execute_state.is_orm_statement and (execute_state.is_update or execute_state.is_insert
                                           or execute_state.is_delete):
        _changed(execute_state.session)


def _before_commit(session):
    manager = _manager(session)
    # zope.sqlalchemy's own check: a joined session commits when its transaction does.
    assert manager is None or session.in_nested_transaction() or manager.get().status == ZopeStatus.COMMITTING, \
        "Transaction must be committed using the transaction manager"


# What zope.sqlalchemy.register listens for on each session, and what answers each event here.
LISTENERS = {
    "after_begin": _join, "after_attach": _join, "after_flush": _flushed, "after_bulk_update": _bulk_written,
    "after_bulk_delete": _bulk_written, "before_commit": _before_commit, "do_orm_execute": _executed,
}


def register_on_factory(session_factory) -> None:
    """Listen, once, for what zope.sqlalchemy listens for on each session, on every session of the factory."""
    for name, listener in LISTENERS.items():
        event.listen(session_factory, name, listener)
