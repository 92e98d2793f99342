"""Routing a customer's message like a request: the party's managers, the thread's staff group (chosen by
an administrator at /admin/messages/, audited), the staff who answered; everyone only when that is nobody."""
from types import SimpleNamespace

import pytest
import webtest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.messages.models import Message, MessageReceipt, MessageThread
from portal.staff.models import StaffGroup
from tests.conftest import csrf_token, login
from tests.factories import ManagerAssignmentFactory, PartyFactory, StaffGroupFactory, customer, staff


@pytest.fixture
def world(dbsession):
    party = PartyFactory(name="Routed Co")
    other = PartyFactory(name="Other Ltd")
    answering = StaffGroupFactory(name="Answering")
    idle = StaffGroupFactory(name="Idle")
    manager = staff("manager", last_name="Manager")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    foreign_manager = staff("manager", group=answering, last_name="Foreign")  # manages another party only
    ManagerAssignmentFactory(user_id=foreign_manager.id, party_id=other.id)
    return SimpleNamespace(
        party=party, other=other, answering=answering, idle=idle, manager=manager,
        foreign_manager=foreign_manager,
        member=staff("backoffice", group=answering, last_name="Member"),
        reader=staff("head", group=answering, last_name="Reader"),  # reads every thread, answers none
        bystander=staff("service", group=idle, last_name="Bystander"),
        customer=customer(party, last_name="Customer"),
        admin=staff("admin", login="routing-admin"),
    )


def browser(app, testapp, user):
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, user.login)
    return other


def choose(admin, group):
    form = admin.get("/admin/messages/").forms["message-group"]
    form["group_id"] = "" if group is None else str(group.id)
    return form.submit("submit", status="*")


def start(testapp, party, subject="A question"):
    form = testapp.get(f"/p/{party.id}/messages/new").forms["new-thread"]
    form["subject"], form["body"] = subject, "Please help."
    form.submit("submit", status=303)


def reply(testapp, party, thread, body):
    form = testapp.get(f"/p/{party.id}/messages/{thread.id}/").forms["reply"]
    form["body"] = body
    form.submit("submit", status=303)


def recipients_of_last(dbsession, party) -> set:
    dbsession.flush()
    message = dbsession.scalars(select(Message).where(Message.party_id == party.id)
                                .order_by(Message.id.desc())).first()
    return set(dbsession.scalars(select(MessageReceipt.user_id).where(MessageReceipt.message_id == message.id)))


def test_a_thread_goes_to_the_manager_and_the_chosen_group_not_to_other_staff(app, testapp, dbsession, world):
    admin = browser(app, testapp, world.admin)
    assert choose(admin, world.answering).status_int == 303
    login(testapp, world.customer.login)
    start(testapp, world.party)
    thread = dbsession.scalars(select(MessageThread)).one()
    assert thread.group_id == world.answering.id
    # Not the group's head (answers none), not its manager of another party, not the other group's staff.
    assert recipients_of_last(dbsession, world.party) == {world.manager.id, world.member.id}

    # A clerk outside the group who answers joins the conversation; a later choice leaves the thread's group.
    clerk = browser(app, testapp, world.bystander)
    reply(clerk, world.party, thread, "I can help.")
    choose(admin, world.idle)
    reply(testapp, world.party, thread, "Thanks.")
    assert recipients_of_last(dbsession, world.party) == {world.manager.id, world.member.id, world.bystander.id}


def test_without_a_group_the_manager_alone_and_without_anyone_every_clerk(app, testapp, dbsession, world):
    login(testapp, world.customer.login)
    start(testapp, world.party)
    assert dbsession.scalars(select(MessageThread)).one().group_id is None
    assert recipients_of_last(dbsession, world.party) == {world.manager.id}
    # A party with no manager and no group: nobody would answer, so every back-office and service user does.
    lone = PartyFactory(name="Lone Co")
    start(browser(app, testapp, customer(lone)), lone)
    assert recipients_of_last(dbsession, lone) == {world.member.id, world.bystander.id}


def test_a_group_with_nobody_who_may_answer_falls_back_to_every_clerk(app, testapp, dbsession, world):
    admin = browser(app, testapp, world.admin)
    only_foreign = StaffGroupFactory(name="Foreign only")
    outsider = staff("manager", group=only_foreign, last_name="Outsider")
    ManagerAssignmentFactory(user_id=outsider.id, party_id=world.other.id)
    choose(admin, only_foreign)
    lone = PartyFactory(name="Lone Co")
    login(testapp, customer(lone).login)
    start(testapp, lone)
    assert recipients_of_last(dbsession, lone) == {world.member.id, world.bystander.id}


def test_the_choice_is_one_group_audited_and_refuses_what_does_not_exist(app, testapp, dbsession, world):
    admin = browser(app, testapp, world.admin)
    page = choose(admin, world.answering).follow()
    assert "The group that answers messages has been saved." in page.text
    assert "Answering" in page.html.select_one("#message-group").text
    choose(admin, world.idle)
    dbsession.expire_all()
    chosen = dbsession.scalars(select(StaffGroup.name).where(StaffGroup.answers_messages.is_(True))).all()
    assert chosen == ["Idle"]
    assert "Nothing has changed." in choose(admin, world.idle).follow().text
    assert "No group answers messages now." in choose(admin, None).follow().text
    assert dbsession.scalars(select(StaffGroup).where(StaffGroup.answers_messages.is_(True))).all() == []
    entries = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "messages.group")
                                .order_by(AuditEntry.id)).all()
    assert [e.detail["changes"]["group"][1] for e in entries] == [
        {"id": world.answering.id, "name": "Answering"}, {"id": world.idle.id, "name": "Idle"}, None]
    assert all(e.actor_id == world.admin.id for e in entries)

    token = csrf_token(admin)
    for value in ("999999", "x", str(2**63)):
        response = admin.post("/admin/messages/", {"csrf_token": token, "group_id": value}, status=400)
        assert "form" in response.text
    admin.post("/admin/messages/", {"group_id": str(world.idle.id)}, status=400)  # no CSRF token
    assert dbsession.scalars(select(StaffGroup).where(StaffGroup.answers_messages.is_(True))).all() == []


def test_the_group_that_answers_messages_cannot_be_deleted(app, testapp, dbsession, world):
    admin = browser(app, testapp, world.admin)
    choose(admin, world.idle)
    page = admin.get(f"/admin/groups/{world.idle.id}/")
    assert "This group answers customers' messages." in page.html.select_one(".answers-messages").text
    assert admin.get(f"/admin/groups/{world.answering.id}/").html.select_one(".answers-messages") is None
    token = csrf_token(admin)
    response = admin.post(f"/admin/groups/{world.idle.id}/delete", {"csrf_token": token}, status=400)
    assert "it answers customers" in response.text
    assert dbsession.get(StaffGroup, world.idle.id) is not None


@pytest.mark.parametrize("who", ["backoffice", "manager", "head", None])
def test_only_admins_choose_who_answers(app, testapp, dbsession, world, who):
    if who is not None:
        login(testapp, staff(who).login)
    response = testapp.get("/admin/messages/", status="*")
    assert response.status_int in (303, 403, 404)
    assert "message-group" not in response.text
