"""``portal-jobs auto-close``: resolved requests nobody confirmed close by themselves, once, with a notice."""
from datetime import timedelta
from importlib.metadata import entry_points

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session

from portal.db.meta import utcnow
from portal.identity.models import User
from portal.parties.models import Membership, Party
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.services import auto_close
from portal.scripts import jobs
from portal.workflows.models import Notice, WorkflowHistory
from portal.workflows.notices import NoticeWriter
from tests.factories import PartyFactory, RequestTypeFactory, app_registry, customer, staff
from tests.unit.scripts.test_scripts import ini  # noqa: F401 - the migrated SQLite database and its .ini


def add_request(session, *, party, rtype, author, state="resolved", resolved=None, assignee=None):
    item = CustomerRequest(party_id=party.id, type_id=rtype.id, author_id=author.id, subject="Broken meter",
                           body="Please fix it.", state=state, resolved_at=resolved,
                           assignee_id=assignee.id if assignee else None)
    session.add(item)
    session.flush()
    return item


def history(session, item):
    return session.execute(
        select(WorkflowHistory.transition, WorkflowHistory.from_state, WorkflowHistory.to_state,
               WorkflowHistory.actor_id)
        .where(WorkflowHistory.workflow == "request", WorkflowHistory.item_id == item.id)
    ).all()


def notices(session):
    session.flush()
    return session.execute(
        select(Notice.user_id, Notice.item_id, Notice.transition, Notice.to_state, Notice.actor_id, Notice.party_id)
        .order_by(Notice.user_id)
    ).all()


@pytest.fixture
def world(dbsession):
    party = PartyFactory()
    return {"party": party, "rtype": RequestTypeFactory(), "author": customer(party),
            "assignee": staff("service")}


def test_closes_only_requests_resolved_longer_ago_than_n_days(dbsession, world):
    now = utcnow()
    kw = {"party": world["party"], "rtype": world["rtype"], "author": world["author"]}
    stale = add_request(dbsession, resolved=now - timedelta(days=8), assignee=world["assignee"], **kw)
    recent = add_request(dbsession, resolved=now - timedelta(days=6), **kw)
    boundary = add_request(dbsession, resolved=now - timedelta(days=7), **kw)
    working = add_request(dbsession, state="in_progress", **kw)
    reopened = add_request(dbsession, state="in_progress", resolved=now - timedelta(days=30), **kw)
    closed_before = add_request(dbsession, state="closed", resolved=now - timedelta(days=30), **kw)

    assert auto_close(dbsession, 7, notify=NoticeWriter(app_registry()), now=now) == 1

    assert stale.state == "closed" and stale.closed_at == now
    for item, state in ((recent, "resolved"), (boundary, "resolved"), (working, "in_progress"),
                        (reopened, "in_progress"), (closed_before, "closed")):
        assert item.state == state
        assert history(dbsession, item) == []
    assert history(dbsession, stale) == [("auto_close", "resolved", "closed", None)]
    # The author and the assignee hear of it; nobody acted, so nobody is left out as the actor.
    party_id = world["party"].id
    assert notices(dbsession) == sorted([
        (world["author"].id, stale.id, "auto_close", "closed", None, party_id),
        (world["assignee"].id, stale.id, "auto_close", "closed", None, party_id),
    ])


def test_running_it_again_changes_nothing(dbsession, world):
    now = utcnow()
    item = add_request(dbsession, party=world["party"], rtype=world["rtype"], author=world["author"],
                       resolved=now - timedelta(days=20))
    assert auto_close(dbsession, 7, notify=NoticeWriter(app_registry()), now=now) == 1
    first = (history(dbsession, item), notices(dbsession), item.closed_at, item.version)
    assert auto_close(dbsession, 7, notify=NoticeWriter(app_registry()), now=now + timedelta(hours=1)) == 0
    assert (history(dbsession, item), notices(dbsession), item.closed_at, item.version) == first


def test_the_period_is_counted_from_now(dbsession, world):
    now = utcnow()
    item = add_request(dbsession, party=world["party"], rtype=world["rtype"], author=world["author"],
                       resolved=now - timedelta(days=2))
    assert auto_close(dbsession, 3, notify=NoticeWriter(app_registry()), now=now) == 0
    assert auto_close(dbsession, 3, notify=NoticeWriter(app_registry()), now=now + timedelta(days=1, minutes=1)) == 1
    assert item.state == "closed"


# --- the console script ------------------------------------------------------------------
def scripts_db(tmp_path):
    return Session(create_engine(f"sqlite:///{tmp_path}/scripts.sqlite"))


def seed(tmp_path, *resolved_days_ago) -> list[int]:
    """One party, its customer and a request type; a resolved request per age in days. Returns the ids."""
    now = utcnow()
    with scripts_db(tmp_path) as session, session.begin():
        party = Party(name="Job Test Co")
        author = User(login="job-author", last_name="Author")
        rtype = RequestType(code="general", names={"en": "General"})
        session.add_all([party, author, rtype])
        session.flush()
        # A member of the party: only those who may open a request hear of it (parties/services.py).
        session.add(Membership(user_id=author.id, party_id=party.id, state="active"))
        items = [add_request(session, party=party, rtype=rtype, author=author,
                             resolved=now - timedelta(days=days)) for days in resolved_days_ago]
        return [i.id for i in items]


def states(tmp_path, ids):
    with scripts_db(tmp_path) as session:
        return [session.get(CustomerRequest, i).state for i in ids]


def test_cli_uses_the_setting_prints_the_count_and_notifies(ini, tmp_path, capsys):  # noqa: F811
    old, recent = seed(tmp_path, 10, 3)
    assert jobs.main([str(ini), "auto-close"]) == 0  # development.ini: 7 days
    assert capsys.readouterr().out.strip() == "Closed 1 request resolved more than 7 days ago."
    assert states(tmp_path, [old, recent]) == ["closed", "resolved"]
    with scripts_db(tmp_path) as session:
        author_id = session.scalar(select(User.id).where(User.login == "job-author"))
        assert notices(session) == [(author_id, old, "auto_close", "closed", None,
                                     session.get(CustomerRequest, old).party_id)]
        assert history(session, session.get(CustomerRequest, old)) == [("auto_close", "resolved", "closed", None)]

    assert jobs.main([str(ini), "auto-close"]) == 0
    assert capsys.readouterr().out.strip() == "Closed 0 requests resolved more than 7 days ago."
    assert jobs.main([str(ini), "auto-close", "--days", "2"]) == 0
    assert capsys.readouterr().out.strip() == "Closed 1 request resolved more than 2 days ago."
    assert states(tmp_path, [old, recent]) == ["closed", "closed"]
    with scripts_db(tmp_path) as session:
        assert session.scalar(select(func.count()).select_from(Notice)) == 2


@pytest.mark.parametrize("days", ["0", "x", "-3", "99999"])
def test_cli_refuses_a_bad_number_of_days_and_closes_nothing(ini, tmp_path, capsys, days):  # noqa: F811
    ids = seed(tmp_path, 30)
    assert jobs.main([str(ini), "auto-close", "--days", days]) == 2
    assert "The number of days must be" in capsys.readouterr().err
    assert states(tmp_path, ids) == ["resolved"]


def test_cli_without_the_setting_asks_for_days(ini, tmp_path, capsys):  # noqa: F811
    text = ini.read_text()
    assert "portal.requests.auto_close_days" in text
    ini.write_text(text.replace("portal.requests.auto_close_days", "# portal.requests.auto_close_days"))
    ids = seed(tmp_path, 30)
    assert jobs.main([str(ini), "auto-close"]) == 2
    assert "Give --days or set portal.requests.auto_close_days" in capsys.readouterr().err
    assert states(tmp_path, ids) == ["resolved"]


def test_portal_jobs_is_an_installed_console_script():
    (script,) = entry_points(group="console_scripts", name="portal-jobs")
    assert script.load() is jobs.main


def test_prune_registrations_says_how_many_and_refuses_a_bad_number(ini, capsys):  # noqa: F811
    assert jobs.main([str(ini), "prune-registrations", "--days", "30"]) == 0
    assert capsys.readouterr().out.strip() == "Removed 0 unfinished registrations begun more than 30 days ago."
    assert jobs.main([str(ini), "prune-registrations", "--days", "0"]) == 2
    assert "from 1 to" in capsys.readouterr().err
