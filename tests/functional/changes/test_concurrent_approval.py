"""Two clerks approve the same change request at once, each in a real transaction on its own connection.

Exactly one approval (with its application) may land; the other clerk gets a
clear refusal that names the first. On PostgreSQL the second clerk runs in a
thread and is seen waiting on the row lock while the first commits; SQLite has
no row locks (one writer at a time), so there the second simply comes after.

These tests commit for real (the doomed test transaction cannot show what two
transactions do), so they make their own rows and remove them afterwards.
"""
import threading
import time
import uuid

import pytest
from pyramid.authorization import ACLHelper
from sqlalchemy import delete, select, text

from portal.changes.models import ChangeRequest
from portal.changes.resources import ChangesContainer
from portal.changes.services import approve_and_apply
from portal.changes.workflow import CHANGE_REQUEST
from portal.identity.models import User, UserRole
from portal.parties.models import Membership, Party
from portal.parties.resources import PartyResource
from portal.security.principals import Identity, principals_for
from portal.workflows.engine import TransitionNotAllowed
from portal.workflows.models import Notice, WorkflowHistory
from portal.workflows.services import WorkflowService
from tests import factories
from tests.factories.changes import PARTY_VALUES, change_request

CHANGES = {"email": "decided@party.test", "invoice_channel": "edi"}
LOCK_WAIT_SECONDS = 10


@pytest.fixture
def committed(app):
    """A party, its customer, two clerks and a submitted change request, committed; all removed afterwards."""
    factory = app.registry["dbsession_factory"]
    tag = uuid.uuid4().hex[:10]
    with factory() as s:
        party = Party(name=f"Concurrent Co {tag}", **PARTY_VALUES)
        author = User(login=f"author-{tag}", last_name="Author")
        clerks = [User(login=f"clerk{n}-{tag}", last_name=f"Clerk{n}") for n in (1, 2)]
        s.add_all([party, author, *clerks])
        s.flush()
        s.add(Membership(user_id=author.id, party_id=party.id, state="active"))
        s.add_all(UserRole(user_id=clerk.id, role="backoffice") for clerk in clerks)
        item = change_request(s, party, author, CHANGES)
        s.commit()
        ids = {"party": party.id, "author": author.id, "clerks": [c.id for c in clerks], "item": item.id}
    yield ids
    with factory() as s:
        s.execute(delete(WorkflowHistory).where(WorkflowHistory.workflow == CHANGE_REQUEST.name,
                                                WorkflowHistory.item_id == ids["item"]))
        s.execute(delete(Notice).where(Notice.party_id == ids["party"]))
        s.execute(delete(ChangeRequest).where(ChangeRequest.party_id == ids["party"]))
        user_ids = [ids["author"], *ids["clerks"]]
        s.execute(delete(Membership).where(Membership.user_id.in_(user_ids)))
        s.execute(delete(UserRole).where(UserRole.user_id.in_(user_ids)))
        s.execute(delete(User).where(User.id.in_(user_ids)))
        s.execute(delete(Party).where(Party.id == ids["party"]))
        s.commit()


class Clerk:
    """One clerk's own session and transaction, the change request as his page showed it, his service."""

    def __init__(self, app, user_id, ids):
        self.user_id = user_id
        self.session = app.registry["dbsession_factory"]()
        party = self.session.get(Party, ids["party"])
        principals = principals_for(Identity(self.session.get(User, user_id), "", frozenset({"backoffice"}),
                                             frozenset(), frozenset()))
        helper = ACLHelper()
        self.service = WorkflowService(
            self.session, actor_id=user_id,
            permits=lambda permission, resource: bool(helper.permits(resource, principals, permission)),
            notify=app.registry.notify,
        )
        self.resource = ChangesContainer(PartyResource(party, factories.party_container(self.session)))[str(ids["item"])]
        self.seen_version = self.resource.item.version
        self.error = self.last = None

    def approve(self):
        """Approve and apply, then commit; a refusal is kept in ``error`` and the transaction rolled back."""
        try:
            approve_and_apply(self.service, self.resource, expected_version=self.seen_version)
            self.session.commit()
        except Exception as error:  # noqa: BLE001 - the test inspects what it was
            self.error = error
            last = getattr(error, "last", None)  # read before the rollback expires it
            self.last = None if last is None else (last.transition, last.actor_id)
            self.session.rollback()

    def close(self):
        self.session.rollback()
        self.session.close()


def outcome(app, ids):
    """What is committed now, read by a third session."""
    with app.registry["dbsession_factory"]() as s:
        item = s.get(ChangeRequest, ids["item"])
        party = s.get(Party, ids["party"])
        history = s.execute(
            select(WorkflowHistory.transition, WorkflowHistory.actor_id)
            .where(WorkflowHistory.workflow == CHANGE_REQUEST.name, WorkflowHistory.item_id == ids["item"])
            .order_by(WorkflowHistory.id)
        ).all()
        return item.state, {k: getattr(party, k) for k in CHANGES}, history


def wait_until_blocked(engine, pid) -> bool:
    """True once PostgreSQL backend ``pid`` waits for a lock (the second clerk on the first's row lock)."""
    deadline = time.monotonic() + LOCK_WAIT_SECONDS
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(
                text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
            ).scalar()
            if waiting == "Lock":
                return True
            conn.rollback()  # a fresh snapshot of pg_stat_activity on the next read
            time.sleep(0.02)
    return False


def test_two_concurrent_approvals_leave_one_approval_and_one_clear_refusal(app, committed):
    first, second = (Clerk(app, user_id, committed) for user_id in committed["clerks"])
    engine = app.registry["db_engine"]
    try:
        assert first.resource.item.state == second.resource.item.state == "submitted"
        if engine.dialect.name == "postgresql":
            pid = second.session.execute(text("SELECT pg_backend_pid()")).scalar()
            approve_and_apply(first.service, first.resource, expected_version=first.seen_version)  # holds the lock
            thread = threading.Thread(target=second.approve)
            thread.start()
            assert wait_until_blocked(engine, pid), "the second approval did not wait for the first's row lock"
            first.session.commit()
            thread.join(LOCK_WAIT_SECONDS)
            assert not thread.is_alive()
        else:
            first.approve()
            assert first.error is None
            second.approve()
    finally:
        first.close()
        second.close()

    assert isinstance(second.error, TransitionNotAllowed), second.error
    assert "no longer possible" in second.error.message.interpolate()
    assert second.last == ("apply", first.user_id)  # "already decided by" the first clerk
    state, values, history = outcome(app, committed)
    assert state == "applied" and values == CHANGES
    decisions = [entry for entry in history if entry.transition in ("approve", "apply", "reject")]
    assert decisions == [("approve", first.user_id), ("apply", first.user_id)]


def test_approval_and_application_are_committed_together_or_not_at_all(app, committed):
    clerk = Clerk(app, committed["clerks"][0], committed)
    try:
        approve_and_apply(clerk.service, clerk.resource)
        assert clerk.resource.item.state == "applied"
        # Not committed yet: nobody else sees the approval, nor the party's new values.
        assert outcome(app, committed)[:2] == ("submitted", {k: PARTY_VALUES[k] for k in CHANGES})
        clerk.session.rollback()  # what a failed request does: both are gone
        state, values, history = outcome(app, committed)
        assert (state, values) == ("submitted", {k: PARTY_VALUES[k] for k in CHANGES})
        assert [t for t, _a in history] == ["create", "submit"]
    finally:
        clerk.close()
    clerk = Clerk(app, committed["clerks"][0], committed)
    try:
        clerk.approve()
        assert clerk.error is None
    finally:
        clerk.close()
    state, values, history = outcome(app, committed)
    assert (state, values) == ("applied", CHANGES)
    assert [t for t, _a in history] == ["create", "submit", "approve", "apply"]
