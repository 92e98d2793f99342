"""A change request submitted for approval is news for those who decide it: the back office and the
party's managers; a draft is nobody's news yet."""
import pytest
import webtest
from sqlalchemy import select

from portal.changes.models import ChangeRequest
from portal.outbox.models import OutboxMessage
from portal.workflows.models import Notice
from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, PartyFactory, customer, staff
from tests.factories.changes import PARTY_VALUES
from tests.functional.changes.test_changes import act, ask, base


@pytest.fixture
def world(dbsession):
    party, other = PartyFactory(name="Changing Co", **PARTY_VALUES), PartyFactory(name="Bystander Ltd")
    manager, elsewhere = staff("manager", last_name="Manager"), staff("manager", last_name="Elsewhere")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    ManagerAssignmentFactory(user_id=elsewhere.id, party_id=other.id)
    return {
        "party": party, "author": customer(party, last_name="Author"),
        "clerk": staff("backoffice", last_name="Clerk"), "quiet": staff("backoffice", notify="portal"),
        "tech": staff("service", last_name="Technician"), "head": staff("head", last_name="Head"),
        "manager": manager, "elsewhere": elsewhere,
    }


@pytest.fixture
def author(app, testapp, world):
    b = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(b, world["author"].login)
    return b


def told(dbsession):
    dbsession.flush()
    return (set(dbsession.scalars(select(Notice.user_id))), set(dbsession.scalars(select(OutboxMessage.user_id))))


def test_a_submitted_change_request_tells_the_approvers(author, dbsession, world):
    ask(author, world["party"], button="submit", phone="+7 495 111-22-33")
    item = dbsession.scalars(select(ChangeRequest)).one()
    ids = {name: world[name].id for name in ("clerk", "quiet", "manager")}
    assert told(dbsession) == (set(ids.values()), {ids["clerk"], ids["manager"]})
    [mail] = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == ids["clerk"])).all()
    assert (mail.topic, mail.subject) == ("change_request.submit",
                                          f"Change request #{item.id} from Changing Co awaits approval")


def test_a_draft_tells_nobody_until_it_is_submitted(author, dbsession, world):
    ask(author, world["party"], phone="+7 495 111-22-33")
    assert told(dbsession) == (set(), set())
    item = dbsession.scalars(select(ChangeRequest)).one()
    act(author, f"{base(world['party'])}{item.id}/", "submit")
    assert told(dbsession)[0] == {world["clerk"].id, world["quiet"].id, world["manager"].id}
