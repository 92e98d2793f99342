"""The e-mail of new work: a member of staff reads what came in, from which party, how urgent and when
due, who sent it and where to open it — in his own language — not that an item "moved"."""
import pytest
from sqlalchemy import select

from portal.formats import format_datetime
from portal.outbox.models import OutboxMessage
from portal.requests.models import CustomerRequest
from tests.conftest import login
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff
from tests.functional.requests.test_requests import file_request


@pytest.fixture
def world(dbsession):
    group = StaffGroupFactory(name="Dispatch")
    party = PartyFactory(name="Sever Energo")
    return {
        "type": RequestTypeFactory(code="meter", group_id=group.id, default_priority="high", due_hours=10),
        "party": party,
        "author": customer(party, first_name="Olga", last_name="Petrova"),
        "dispatcher": staff("service", group=group, first_name="Ivan", last_name="Dispatcher"),
    }


def filed(testapp, dbsession, world, subject="Meter is broken"):
    login(testapp, world["author"].login)
    file_request(testapp, world["party"], world["type"], subject=subject)
    dbsession.flush()
    item = dbsession.scalars(select(CustomerRequest)).one()
    [mail] = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == world["dispatcher"].id)).all()
    return item, mail


def test_the_e_mail_reads_as_news_of_new_work(testapp, app, dbsession, world):
    item, mail = filed(testapp, dbsession, world)
    due = format_datetime(item.due_at, app.registry["portal_tz"], "en", "short")
    assert mail.subject == f"New request #{item.id} “Meter is broken” from Sever Energo"
    assert mail.body == (
        "Hello, Ivan.\n\n"
        f"New request #{item.id} “Meter is broken” from Sever Energo.\n"
        "Priority: High\n"
        f"Due: {due}\n"
        "Sent by: Petrova Olga\n\n"
        f"Open it in the portal: http://localhost:6543/p/{world['party'].id}/requests/{item.id}/\n\n"
        "-- \n"
        "You get these e-mails because new work comes to you or your team. "
        "You can turn them off in your account: http://localhost:6543/account/notifications\n"
    )
    assert "moved" not in mail.body and "state" not in mail.body


def test_the_e_mail_speaks_the_staff_members_language(testapp, app, dbsession, world):
    world["dispatcher"].language = "ru"
    item, mail = filed(testapp, dbsession, world)
    assert mail.body.startswith("Здравствуйте, Ivan.\n")
    assert "Высокий" in mail.body  # the priority, as the Russian pages call it
    assert format_datetime(item.due_at, app.registry["portal_tz"], "ru", "short") in mail.body
    assert "High" not in mail.body


def test_a_party_name_with_line_breaks_stays_on_one_line(testapp, dbsession, world):
    world["party"].name = "Sever\r\nBcc: everyone@example.test"
    dbsession.flush()
    item, mail = filed(testapp, dbsession, world)
    assert mail.subject == f"New request #{item.id} “Meter is broken” from Sever Bcc: everyone@example.test"
