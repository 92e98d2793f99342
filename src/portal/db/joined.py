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
from zope.sqlalchemy.datamanager import STATUS_ACTIVE, ZopeTransactionEvents, join_transaction, mark_changed

MANAGER_KEY = "transaction_manager"


class FactoryTransactionEvents(ZopeTransactionEvents):
    """``ZopeTransactionEvents`` whose transaction manager is the session's own (``info``), not the extension's."""

    def __init__(self):
        super().__init__(initial_state=STATUS_ACTIVE, transaction_manager=None, keep_session=False)

    @staticmethod
    def _manager(session):
        return session.info.get(MANAGER_KEY)

    def after_begin(self, session, transaction, connection):
        self._join(session)

    def after_attach(self, session, instance):
        self._join(session)

    def _join(self, session):
        manager = self._manager(session)
        if manager is not None:
            join_transaction(session, self.initial_state, manager, self.keep_session)

    def after_flush(self, session, flush_context):
        self._changed(session)

    def after_bulk_update(self, update_context):
        self._changed(update_context.session)

    def after_bulk_delete(self, delete_context):
        self._changed(delete_context.session)

    def _changed(self, session):
        manager = self._manager(session)
        if manager is not None:
            mark_changed(session, manager, self.keep_session)

    def before_commit(self, session):
        manager = self._manager(session)
        if manager is not None:
            # zope.sqlalchemy's own check: a joined session commits when its transaction does.
            assert session.in_nested_transaction() or manager.get().status == ZopeStatus.COMMITTING, \
                "Transaction must be committed using the transaction manager"

    def do_orm_execute(self, execute_state):
        if execute_state.is_orm_statement and (execute_state.is_update or execute_state.is_insert
                                               or execute_state.is_delete):
            self._changed(execute_state.session)


def register_on_factory(session_factory) -> None:
    """Listen, once, for what zope.sqlalchemy listens for on each session, on every session of the factory."""
    events = FactoryTransactionEvents()
    for name in ("after_begin", "after_attach", "after_flush", "after_bulk_update", "after_bulk_delete",
                 "before_commit", "do_orm_execute"):
        event.listen(session_factory, name, getattr(events, name))
