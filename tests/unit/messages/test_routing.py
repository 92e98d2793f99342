"""Who receives a customer's message, who is e-mailed, and the unread counts across parties
(services.py, mail.py, inbox.py), against the database."""
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from portal.admin.services import SettingRefused, set_message_group
from portal.db.meta import utcnow
from portal.messages import inbox
from portal.messages import services as service
from portal.messages.mail import MessageMailer
from portal.messages.models import Message, MessageReceipt
from portal.outbox.letters import Letters
from portal.outbox.models import OutboxMessage
from portal.parties.models import Membership, Party
from portal.staff.models import StaffGroup
from tests.factories import ManagerAssignmentFactory, PartyFactory, StaffGroupFactory, app_registry, customer, staff
from tests.factories.messages import thread as make_thread


class Audit:
    def __init__(self):
        self.entries = []

    def record(self, action, target="", **detail):
        self.entries.append((action, target, detail))


@pytest.fixture
def world(dbsession):
    party, other = PartyFactory(name="Here Co"), PartyFactory(name="There Co")
    group = StaffGroupFactory(name="Messages")
    manager = staff("manager")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    foreign = staff("manager", group=group)
    ManagerAssignmentFactory(user_id=foreign.id, party_id=other.id)
    return SimpleNamespace(
        party=party, other=other, group=group, manager=manager, foreign=foreign,
        member=staff("service", group=group), blocked=staff("backoffice", group=group, state="blocked"),
        admin_member=staff("admin", group=group), clerk=staff("backoffice"),
        customer=customer(party), holding=customer(party), there=customer(other),
    )


def test_a_group_adds_its_members_who_may_answer_for_the_party(dbsession, world):
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False)
    assert service.staff_recipients(dbsession, world.party.id, thread.id, None) == {world.manager.id}
    assert service.staff_recipients(dbsession, world.party.id, thread.id, world.group.id) == {
        world.manager.id, world.member.id}


def test_nobody_to_answer_means_every_clerk(dbsession, world):
    lone = PartyFactory()
    thread = make_thread(dbsession, lone, customer(lone), from_staff=False)
    everyone = {world.member.id, world.clerk.id}
    assert service.staff_recipients(dbsession, lone.id, thread.id, None) == everyone
    empty = StaffGroupFactory()
    assert service.staff_recipients(dbsession, lone.id, thread.id, empty.id) == everyone
    # A group whose only answering member manages other parties counts as nobody.
    only_foreign = StaffGroupFactory()
    outsider = staff("manager", group=only_foreign)
    ManagerAssignmentFactory(user_id=outsider.id, party_id=world.other.id)
    assert service.staff_recipients(dbsession, lone.id, thread.id, only_foreign.id) == everyone


def test_a_thread_takes_the_group_chosen_when_it_starts(dbsession, world):
    audit = Audit()
    assert service.message_group_id(dbsession) is None
    assert set_message_group(dbsession, audit, world.group.id) is True
    assert service.message_group_id(dbsession) == world.group.id
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False)
    assert thread.group_id == world.group.id
    other = StaffGroupFactory()
    set_message_group(dbsession, audit, other.id)
    assert dbsession.scalars(select(StaffGroup.id).where(StaffGroup.answers_messages.is_(True))).all() == [other.id]
    assert set_message_group(dbsession, audit, other.id) is False
    with pytest.raises(SettingRefused):
        set_message_group(dbsession, audit, 2**31 - 1)
    assert [a for a, _t, _d in audit.entries] == ["messages.group", "messages.group"]
    dbsession.refresh(thread)
    assert thread.group_id == world.group.id  # a later choice leaves a started thread alone


def test_the_mailer_writes_to_no_one_who_may_not_see_the_party(dbsession, world):
    thread = make_thread(dbsession, world.party, world.customer, from_staff=False)
    message = dbsession.scalars(select(Message).where(Message.thread_id == thread.id)).one()
    mailer = MessageMailer(app_registry(), Letters("https://portal.example/", []))
    # Receipts read long ago: the foreign manager, the other party's customer and a blocked clerk are stale.
    event = service.MessagePosted(dbsession, thread, message, tuple(sorted(
        {world.manager.id, world.foreign.id, world.there.id, world.blocked.id, world.member.id})))
    mailer(event)
    dbsession.flush()
    mails = dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.user_id)).all()
    assert [m.user_id for m in mails] == sorted([world.manager.id, world.member.id])
    assert all(f"https://portal.example/p/{world.party.id}/messages/{thread.id}/" in m.body for m in mails)


def test_unread_counts_stay_within_the_parties_asked(dbsession, world):
    party_b = PartyFactory()
    dbsession.add(Membership(user_id=world.holding.id, party_id=party_b.id, state="active"))
    dbsession.flush()
    make_thread(dbsession, party_b, world.clerk, from_staff=True, replies=2)
    make_thread(dbsession, world.party, world.clerk, from_staff=True)
    user = world.holding.id
    assert inbox.unread_by_party(dbsession, user, None) == {world.party.id: 1, party_b.id: 3}
    only_b = select(Party.id).where(Party.id == party_b.id)
    assert inbox.unread_by_party(dbsession, user, only_b) == {party_b.id: 3}
    assert inbox.unread_parties(dbsession, user, only_b) == [party_b.id]
    assert inbox.unread_parties(dbsession, user, None) == sorted([world.party.id, party_b.id])
    listed = dbsession.scalars(inbox.inbox_threads(user, only_b, unread_only=True)).all()
    assert {t.party_id for t in listed} == {party_b.id}
    # Read, nothing is unread; the thread is still listed among all of them.
    thread = listed[0]
    dbsession.execute(update(MessageReceipt).where(MessageReceipt.user_id == user).values(read_at=utcnow()))
    assert dbsession.scalars(inbox.inbox_threads(user, only_b, unread_only=True)).all() == []
    assert thread in dbsession.scalars(inbox.inbox_threads(user, only_b, unread_only=False)).all()
    # The writer of a message never has it unread.
    assert inbox.unread_by_party(dbsession, world.clerk.id, None) == {}
