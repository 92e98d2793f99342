"""Reminders of due times (``portal-jobs remind-due``): the assignee of an open item, else the group
it is routed to, hears once when it falls due soon and once more when it is overdue, by the channel
each chose for the kind ``deadlines``, with an in-app notice; nothing for a resolved item, nothing
twice, again when the due time moves; nobody who may no longer see the party."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from portal.db.meta import utcnow
from portal.notifications.models import NotificationPreference
from portal.outbox.letters import letters_for
from portal.outbox.models import OutboxMessage
from portal.outbox.reminders import DueReminders
from portal.requests.models import CustomerRequest
from portal.scripts import jobs
from portal.tickets.models import ServiceTicket
from portal.workflows.models import Notice
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff
from tests.unit.scripts.test_scripts import ini  # noqa: F401 - the migrated SQLite database and its .ini

SOON = timedelta(hours=4)


@pytest.fixture
def world(dbsession):
    group = StaffGroupFactory(name="Dispatch")
    party = PartyFactory(name="Sever Energo")
    return {
        "party": party, "group": group, "type": RequestTypeFactory(code="meter", group_id=group.id),
        "author": customer(party),
        "dispatcher": staff("service", group=group, first_name="Ivan"),
        "colleague": staff("service", group=group, first_name="Olga"),
        "engineer": staff("service", first_name="Petr"),
    }


def request_due(dbsession, world, due_in, *, state="new", assignee=None, subject="Meter is broken"):
    item = CustomerRequest(party_id=world["party"].id, type_id=world["type"].id, author_id=world["author"].id,
                           subject=subject, body="…", state=state, group_id=world["group"].id,
                           assignee_id=assignee.id if assignee else None, due_at=utcnow() + due_in)
    dbsession.add(item)
    dbsession.flush()
    return item


def ticket_due(dbsession, world, due_in, assignee):
    item = ServiceTicket(party_id=world["party"].id, author_id=world["author"].id, subject="No power", body="…",
                         state="new", assignee_id=assignee.id, due_at=utcnow() + due_in)
    dbsession.add(item)
    dbsession.flush()
    return item


def remind(app, dbsession, now=None):
    done = DueReminders(app.registry, letters_for(app.registry)).run(dbsession, now or utcnow(), SOON)
    dbsession.flush()
    return done


def letters(dbsession):
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic.like("%.due_soon")
                                                         | OutboxMessage.topic.like("%.overdue"))
                             .order_by(OutboxMessage.id)).all()


def test_the_assignee_hears_it_is_due_soon_then_overdue_once_each(app, dbsession, world):
    item = request_due(dbsession, world, timedelta(hours=2), assignee=world["dispatcher"])
    assert remind(app, dbsession).due_soon == 1
    [mail] = letters(dbsession)
    assert mail.user_id == world["dispatcher"].id and mail.topic == "request.due_soon"
    assert mail.subject.startswith(f"Request #{item.id} “Meter is broken” is due ")
    assert f"/p/{world['party'].id}/requests/{item.id}/" in mail.body
    assert remind(app, dbsession).due_soon == 0 and len(letters(dbsession)) == 1  # nothing twice
    later = utcnow() + timedelta(hours=3)
    assert remind(app, dbsession, later).overdue == 1
    overdue = letters(dbsession)[-1]
    assert overdue.topic == "request.overdue" and "is overdue: it was due" in overdue.subject
    assert remind(app, dbsession, later).overdue == 0
    notices = dbsession.execute(select(Notice.user_id, Notice.transition).order_by(Notice.id)).all()
    assert notices == [(world["dispatcher"].id, "due_soon"), (world["dispatcher"].id, "overdue")]


def test_an_item_nobody_took_reminds_its_group_and_a_ticket_its_assignee(app, dbsession, world):
    request_due(dbsession, world, timedelta(hours=1))
    ticket = ticket_due(dbsession, world, -timedelta(hours=1), world["engineer"])
    done = remind(app, dbsession)
    assert (done.due_soon, done.overdue) == (1, 1)
    by_user = {mail.user_id: mail for mail in letters(dbsession)}
    assert set(by_user) == {world["dispatcher"].id, world["colleague"].id, world["engineer"].id}
    assert by_user[world["engineer"].id].subject.startswith(f"Service ticket #{ticket.id} “No power” is overdue")


def test_resolved_far_off_and_undated_items_are_not_reminded(app, dbsession, world):
    request_due(dbsession, world, timedelta(hours=1), state="resolved", assignee=world["dispatcher"])
    request_due(dbsession, world, timedelta(hours=30), assignee=world["dispatcher"])
    undated = request_due(dbsession, world, timedelta(hours=1), assignee=world["dispatcher"])
    undated.due_at = None
    dbsession.flush()
    assert remind(app, dbsession).due_soon == 0 and letters(dbsession) == []


def test_a_due_time_that_moves_is_reminded_again(app, dbsession, world):
    item = request_due(dbsession, world, timedelta(hours=1), assignee=world["dispatcher"])
    remind(app, dbsession)
    item.due_at = utcnow() + timedelta(hours=3)
    dbsession.flush()
    assert remind(app, dbsession).due_soon == 1 and len(letters(dbsession)) == 2


def test_channels_are_each_persons_choice(app, dbsession, world):
    dbsession.add(NotificationPreference(user_id=world["dispatcher"].id, kind="deadlines", channel="off"))
    dbsession.add(NotificationPreference(user_id=world["colleague"].id, kind="deadlines", channel="portal"))
    request_due(dbsession, world, timedelta(hours=1))
    done = remind(app, dbsession)
    assert (done.notices, done.letters) == (1, 0) and letters(dbsession) == []
    assert dbsession.scalars(select(Notice.user_id)).all() == [world["colleague"].id]


def test_an_assignee_who_may_not_see_the_party_is_not_reminded(app, dbsession, world):
    manager = staff("manager")  # a manager of other parties: this one's pages answer 404 to him
    request_due(dbsession, world, timedelta(hours=1), assignee=manager)
    assert remind(app, dbsession).due_soon == 1
    assert letters(dbsession) == [] and dbsession.scalar(select(func.count()).select_from(Notice)) == 0


def test_the_notices_page_says_the_stage(app, testapp, dbsession, world):
    from tests.conftest import login

    request_due(dbsession, world, -timedelta(hours=1), assignee=world["dispatcher"])
    remind(app, dbsession)
    login(testapp, world["dispatcher"].login)
    page = testapp.get("/account/notices")
    assert "Overdue" in page.text and "Meter is broken" in page.text


def test_the_job_reminds_and_says_what_it_did(ini, capsys):  # noqa: F811
    assert jobs.main([str(ini), "remind-due", "--hours", "2"]) == 0
    assert capsys.readouterr().out.startswith("Reminded of 0 items due within 2 hours and 0 overdue")
    assert jobs.main([str(ini), "remind-due", "--hours", "soon"]) == 2
    assert "must be a number" in capsys.readouterr().err
