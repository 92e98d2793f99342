"""Two administrators give the licence's last seat at the same moment, each to another user, each in its
own real transaction on its own connection: one succeeds, the other is refused with the licence's message.

Both requests have read everything they read (the user, the party, the membership) before either
claims the seat: a barrier holds each just before its claim until the other has come as far, so
neither could have told from those reads that the other exists. Only the claim's lock on the
licence's row keeps them apart: on PostgreSQL the first holds it until the second is seen waiting for
it, and the second then counts the first's seat; on SQLite the second waits for the database's one
writer (``busy_timeout``) and counts after the first's commit the same way.

These tests commit for real (the doomed test transaction cannot show what two transactions do), so they
make their own rows and remove them afterwards.
"""
import threading
import time
import uuid

import pytest
import webtest
from sqlalchemy import delete, or_, select, text

from portal.admin import access
from portal.audit.models import AuditEntry
from portal.identity.models import User, UserRole
from portal.parties.licence import LIMIT_SETTING, seats_used
from portal.parties.models import Membership, Party
from tests.conftest import PASSWORD, login
from tests.factories import TEST_PASSWORDS

WAIT_SECONDS = 20
REFUSAL = "customer users, and all"


@pytest.fixture
def committed(app):
    """A party, two users who act for no party yet and two administrators, committed; removed afterwards."""
    factory = app.registry["dbsession_factory"]
    tag = uuid.uuid4().hex[:10]
    with factory() as s:
        party = Party(name=f"Last Seat {tag}", external_id=f"LS-{tag}")
        users = [User(login=f"{kind}-{tag}", last_name=kind.title(), password_hash=TEST_PASSWORDS.hash(PASSWORD))
                 for kind in ("first", "second", "admin-one", "admin-two")]
        s.add_all([party, *users])
        s.flush()
        s.add_all(UserRole(user_id=u.id, role="admin") for u in users[2:])
        s.commit()
        ids = {"party": party.id, "external_id": party.external_id, "users": [u.id for u in users],
               "logins": [u.login for u in users]}
    yield ids
    with factory() as s:
        targets = [f"user:{i}" for i in ids["users"]]
        s.execute(delete(AuditEntry).where(or_(AuditEntry.actor_id.in_(ids["users"]), AuditEntry.target.in_(targets))))
        s.execute(delete(Membership).where(Membership.party_id == ids["party"]))
        s.execute(delete(User).where(User.id.in_(ids["users"])))
        s.execute(delete(Party).where(Party.id == ids["party"]))
        s.commit()


def someone_waits_on_the_licence(engine) -> bool:
    """True once another PostgreSQL backend of this database waits for a lock on the licence's row."""
    deadline = time.monotonic() + WAIT_SECONDS
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE 'UPDATE customer_licence%'")).scalar()
            if waiting:
                return True
            conn.rollback()  # a fresh snapshot of pg_stat_activity on the next read
            time.sleep(0.02)
    return False


def browser(app, address):
    """A browser on the application itself: each request commits in its own transaction."""
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": address})


def test_two_admins_giving_the_last_seat_at_once_yield_one_success_and_one_refusal(app, committed, monkeypatch):
    engine = app.registry["db_engine"]
    postgresql = engine.dialect.name == "postgresql"
    factory = app.registry["dbsession_factory"]
    with factory() as s:
        limit = seats_used(s) + 1  # one seat left
    monkeypatch.setitem(app.registry, LIMIT_SETTING, limit)
    barrier = threading.Barrier(2, timeout=WAIT_SECONDS)
    waited, original = [], access.claim_seat

    def claim_seat(session, seats, user_id):
        barrier.wait()  # both have read all they read before either claims
        original(session, seats, user_id)
        if postgresql:  # the first to hold the lock holds on until the other is seen waiting for it
            waited.append(someone_waits_on_the_licence(engine))

    monkeypatch.setattr(access, "claim_seat", claim_seat)
    first, second, admin_one, admin_two = committed["users"]
    forms = {}
    for name, admin, user_id, address in (("one", committed["logins"][2], first, "192.0.2.41"),
                                          ("two", committed["logins"][3], second, "192.0.2.42")):
        tab = browser(app, address)
        login(tab, admin)
        form = tab.get(f"/admin/users/{user_id}/").forms["add-party"]
        form["party"] = committed["external_id"]
        forms[name] = (tab, f"/admin/users/{user_id}/add-party", form.submit_fields("submit"))
    responses = {}

    def post(name):
        tab, url, fields = forms[name]
        responses[name] = tab.post(url, fields, status="*")

    threads = [threading.Thread(target=post, args=(name,)) for name in forms]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads)

    statuses = sorted(r.status_int for r in responses.values())
    assert statuses == [303, 400], {k: r.status for k, r in responses.items()}
    loser = next(r for r in responses.values() if r.status_int == 400)
    assert f"The licence allows {limit} {REFUSAL} {limit} seats are taken." in loser.text
    assert waited == ([True] if postgresql else [])
    with factory() as s:
        active = s.scalars(select(Membership.user_id).where(Membership.party_id == committed["party"],
                                                            Membership.state == "active")).all()
        assert len(active) == 1 and active[0] in (first, second)
        assert seats_used(s) == limit
        granted = s.scalars(select(AuditEntry.target).where(AuditEntry.action == "membership.add",
                                                            AuditEntry.actor_id.in_([admin_one, admin_two]))).all()
        assert granted == [f"user:{active[0]}"]  # the refused one left no entry
