"""A filed request is news for the staff who will work it: its group's members and the party's managers
hear of it in the portal and by e-mail (each as their e-mail switch says); nobody else does."""
import pytest
import webtest
from sqlalchemy import select

from portal.outbox.models import OutboxMessage
from portal.requests.models import CustomerRequest
from portal.workflows.models import Notice
from tests.conftest import login
from tests.factories import (
    ManagerAssignmentFactory,
    PartyFactory,
    RequestTypeFactory,
    StaffGroupFactory,
    customer,
    staff,
)
from tests.functional.requests.test_requests import act, file_request


@pytest.fixture
def world(dbsession):
    dispatch, metering = StaffGroupFactory(name="Dispatch"), StaffGroupFactory(name="Metering")
    party, other = PartyFactory(name="Sever Energo"), PartyFactory(name="Vostok")
    manager, elsewhere = staff("manager", last_name="Manager"), staff("manager", last_name="Elsewhere")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    ManagerAssignmentFactory(user_id=elsewhere.id, party_id=other.id)
    return {
        "type": RequestTypeFactory(code="meter", group_id=dispatch.id, default_priority="high", due_hours=10),
        "party": party, "author": customer(party, last_name="Author"), "colleague": customer(party),
        "dispatcher": staff("service", group=dispatch, last_name="Dispatcher"),
        "quiet": staff("service", group=dispatch, last_name="Quiet", notify="portal"),
        "meterman": staff("service", group=metering, last_name="Meterman"),
        "clerk": staff("backoffice", last_name="Clerk"),
        "manager": manager, "elsewhere": elsewhere,
    }


def notified(dbsession) -> set[int]:
    dbsession.flush()
    return set(dbsession.scalars(select(Notice.user_id)))


def mailed(dbsession) -> set[int]:
    dbsession.flush()
    return set(dbsession.scalars(select(OutboxMessage.user_id)))


def test_filing_tells_the_routed_group_and_the_partys_manager(testapp, dbsession, world):
    login(testapp, world["author"].login)
    file_request(testapp, world["party"], world["type"], subject="Meter is broken")
    item = dbsession.scalars(select(CustomerRequest)).one()
    ids = {name: world[name].id for name in ("dispatcher", "quiet", "manager")}
    # The member who turned e-mail off gets the notice, not the e-mail; the author, another group,
    # the back office and another party's manager get neither.
    assert notified(dbsession) == set(ids.values())
    assert mailed(dbsession) == {ids["dispatcher"], ids["manager"]}
    mails = dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.user_id)).all()
    assert {m.recipient for m in mails} == {world["dispatcher"].email, world["manager"].email}
    assert {(m.topic, m.party_id, m.subject) for m in mails} == {
        ("request.create", world["party"].id, f"New request #{item.id} “Meter is broken” from Sever Energo")}


def test_the_watchers_hear_of_the_filing_and_of_no_later_move(testapp, app, dbsession, world):
    login(testapp, world["author"].login)
    file_request(testapp, world["party"], world["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, world["dispatcher"].login)
    url = f"/p/{world['party'].id}/requests/{item.id}/"
    act(staff_app, url, "assign", assignee_id=str(world["dispatcher"].id))
    act(staff_app, url, "start")
    dbsession.flush()
    told = dbsession.execute(select(Notice.transition, Notice.user_id).order_by(Notice.id)).all()
    assert {user_id for transition, user_id in told if transition == "create"} == {
        world["dispatcher"].id, world["quiet"].id, world["manager"].id}
    assert [(t, u) for t, u in told if t != "create"] == [("assign", world["author"].id), ("start", world["author"].id)]
    later_mail = dbsession.scalars(select(OutboxMessage.user_id).where(OutboxMessage.topic != "request.create"))
    assert set(later_mail) == {world["author"].id}


def test_the_staff_notices_page_names_the_new_request_its_party_and_author(testapp, app, dbsession, world):
    login(testapp, world["author"].login)
    file_request(testapp, world["party"], world["type"], subject="Leaking pipe")
    item = dbsession.scalars(select(CustomerRequest)).one()
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, world["dispatcher"].login)
    page = staff_app.get("/account/notices")
    [row] = page.html.select("tr.unread")
    cells = [td.text.strip() for td in row.select("td")]
    assert cells[1] == f"Request #{item.id}: Leaking pipe"
    assert cells[2:] == ["Sever Energo", "New", world["author"].full_name]
    link = row.select_one("a")["href"]
    assert link == f"http://localhost/p/{world['party'].id}/requests/{item.id}/"
    staff_app.get(link)  # he may open it: reading it marks the notice read
    assert staff_app.get("/account/notices").html.select_one("tr.unread") is None


def test_a_request_of_another_party_tells_this_partys_manager_nothing(testapp, dbsession, world):
    outsider_party = PartyFactory(name="Third Co")
    author = customer(outsider_party)
    login(testapp, author.login)
    file_request(testapp, outsider_party, world["type"])
    assert notified(dbsession) == {world["dispatcher"].id, world["quiet"].id}
