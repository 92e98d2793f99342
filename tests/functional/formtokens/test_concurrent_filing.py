"""Two POSTs of the same ticket form at the same moment, each in its own real transaction, file one ticket.

Both requests look the token up before either records it (a barrier holds the
first until the second has looked too), so neither can tell from that look
that the other exists: only the unique key of ``form_tokens`` keeps them apart.
On PostgreSQL the first holds on after recording the token until the second's
``INSERT … ON CONFLICT DO NOTHING`` is seen waiting for its commit, which then
finds the token used; on SQLite the second waits for the database's one writer
(``busy_timeout``, not to be seen from outside) and then finds it the same way.

These tests commit for real (the doomed test transaction cannot show what two
transactions do), so they make their own rows and remove them afterwards.
"""
import itertools
import threading
import time
import uuid

import pytest
import webtest
from sqlalchemy import delete, func, select, text

from portal.formtokens.models import UsedFormToken
from portal.formtokens.services import FormTokenService
from portal.identity.models import User
from portal.outbox.models import OutboxMessage
from portal.parties.models import Membership, Party
from portal.tickets.models import ServiceTicket
from portal.workflows.models import Notice, WorkflowHistory
from tests.conftest import PASSWORD, login
from tests.factories import TEST_PASSWORDS

WAIT_SECONDS = 20
ALREADY = "This form had already been sent; nothing was filed again."


@pytest.fixture
def committed(app):
    """A party and its customer, committed; everything they come to own removed afterwards."""
    factory = app.registry["dbsession_factory"]
    tag = uuid.uuid4().hex[:10]
    with factory() as s:
        party = Party(name=f"Concurrent Filing {tag}", tax_id=tag, address="Street 1", external_id=f"CF-{tag}")
        user = User(login=f"filer-{tag}", last_name="Filer", first_name="Fast", email=f"filer-{tag}@example.test",
                    password_hash=TEST_PASSWORDS.hash(PASSWORD))
        s.add_all([party, user])
        s.flush()
        s.add(Membership(user_id=user.id, party_id=party.id, state="active"))
        s.commit()
        ids = {"party": party.id, "user": user.id, "login": user.login}
    yield ids
    with factory() as s:
        tickets = select(ServiceTicket.id).where(ServiceTicket.party_id == ids["party"])
        s.execute(delete(WorkflowHistory).where(WorkflowHistory.workflow == "service_ticket",
                                                WorkflowHistory.item_id.in_(tickets)))
        s.execute(delete(Notice).where(Notice.party_id == ids["party"]))
        s.execute(delete(OutboxMessage).where(OutboxMessage.party_id == ids["party"]))
        s.execute(delete(ServiceTicket).where(ServiceTicket.party_id == ids["party"]))
        s.execute(delete(UsedFormToken).where(UsedFormToken.user_id == ids["user"]))
        s.execute(delete(Membership).where(Membership.user_id == ids["user"]))
        s.execute(delete(User).where(User.id == ids["user"]))
        s.execute(delete(Party).where(Party.id == ids["party"]))
        s.commit()


def someone_waits_on_a_lock(engine) -> bool:
    """True once another PostgreSQL backend of this database waits for a lock (on the token's key)."""
    deadline = time.monotonic() + WAIT_SECONDS
    with engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock' AND query LIKE 'INSERT INTO form_tokens%'")).scalar()
            if waiting:
                return True
            conn.rollback()  # a fresh snapshot of pg_stat_activity on the next read
            time.sleep(0.02)
    return False


def browser(app, address):
    """A browser on the application itself: each request commits in its own transaction."""
    return webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": address})


def test_two_simultaneous_posts_of_one_form_file_one_ticket(app, committed, monkeypatch):
    looked, barrier = itertools.count(), threading.Barrier(2, timeout=WAIT_SECONDS)
    conflicts, waited = [], []
    engine = app.registry["db_engine"]
    postgresql = engine.dialect.name == "postgresql"
    original_used, original_claim = FormTokenService.used, FormTokenService.claim

    def used(self, nonce):
        found = original_used(self, nonce)
        if next(looked) < 2:  # the two first looks, before either request records the token
            barrier.wait()
        return found

    def claim(self, nonce, form):
        found = original_claim(self, nonce, form)
        if found is not None:
            conflicts.append(found.nonce)
        elif postgresql:  # the winner holds on until the other POST is seen waiting for its commit
            waited.append(someone_waits_on_a_lock(engine))
        return found

    monkeypatch.setattr(FormTokenService, "used", used)
    monkeypatch.setattr(FormTokenService, "claim", claim)

    first = browser(app, "192.0.2.31")
    login(first, committed["login"])
    url = f"/p/{committed['party']}/tickets/new"
    form = first.get(url).forms["new-ticket"]
    form["subject"] = "Boiler is leaking"
    form["body"] = "Water on the floor."
    second = browser(app, "192.0.2.31")  # a second tab of the same browser: the same session cookie
    for cookie in first.cookiejar:
        second.cookiejar.set_cookie(cookie)
    fields = form.submit_fields("submit")
    responses = {}

    def post(name, tab):
        responses[name] = tab.post(url, fields, content_type="multipart/form-data", status="*")

    threads = [threading.Thread(target=post, args=(name, tab)) for name, tab in (("one", first), ("two", second))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(WAIT_SECONDS)
    assert not any(thread.is_alive() for thread in threads)

    assert {r.status_int for r in responses.values()} == {303}, {k: r.status for k, r in responses.items()}
    assert responses["one"].location == responses["two"].location
    assert len(conflicts) == 1  # the unique key, not the look-up, turned the second one away
    assert waited == ([True] if postgresql else [])
    with app.registry["dbsession_factory"]() as s:
        tickets = s.scalars(select(ServiceTicket).where(ServiceTicket.party_id == committed["party"])).all()
        assert len(tickets) == 1
        assert responses["one"].location.endswith(f"/tickets/{tickets[0].id}/")
        assert s.scalar(select(func.count()).select_from(UsedFormToken)
                        .where(UsedFormToken.user_id == committed["user"])) == 1
    pages = [tab.get(responses[name].location) for name, tab in (("one", first), ("two", second))]
    assert sum(ALREADY in page.text for page in pages) == 1
