"""The message workflow under random use: people write, are shown their counters and open threads.

A hypothesis state machine plays a party's two customers, its manager, a
service clerk and the head against services/messages.py, with permissions
asked of the real party ACL, and a membership that comes and goes. After every
step: no message's state went backwards; a message is delivered exactly when
some recipient was shown it and read exactly when some recipient opened it;
nobody holds a receipt of their own message; each transition is recorded once,
by a recipient; and an author looking at their own messages never moves them.
"""

import pytest
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, multiple, rule
from pyramid.authorization import ACLHelper
from sqlalchemy import select

from portal.identity.models import User, UserRole
from portal.messages import services as service
from portal.messages.models import Message, MessageReceipt, MessageThread
from portal.messages.resources import ThreadResource, ThreadsContainer
from portal.messages.workflow import MESSAGE
from portal.parties.models import ManagerAssignment, Membership, Party
from portal.parties.resources import PartyResource, visible_parties_query
from portal.security.principals import Identity, principals_for
from portal.workflows.models import WorkflowHistory
from portal.workflows.services import WorkflowService
from tests import factories
from tests.unit.workflows.toy import make_session

RANK = {"sent": 0, "delivered": 1, "read": 2}
PEOPLE = ("customer", "colleague", "manager", "clerk", "head")
WRITERS = ("customer", "colleague", "manager", "clerk")  # the head reads but may not write


class MessageStates(RuleBasedStateMachine):
    threads = Bundle("threads")

    def __init__(self):
        super().__init__()
        self.db = make_session()
        self.party = Party(name="Talking Co")
        self.db.add(self.party)
        self.db.flush()
        self.users = {name: self._user(name) for name in PEOPLE}
        for name in ("customer", "colleague"):
            self.db.add(Membership(user_id=self.users[name].id, party_id=self.party.id, state="active"))
        for name, role in (("manager", "manager"), ("clerk", "service"), ("head", "head")):
            self.db.add(UserRole(user_id=self.users[name].id, role=role))
        self.db.add(ManagerAssignment(user_id=self.users["manager"].id, party_id=self.party.id))
        self.db.flush()
        self.acl = ACLHelper()
        self.seen_ranks = {}

    def teardown(self):
        engine = self.db.get_bind()
        self.db.close()
        engine.dispose()

    def _user(self, name):
        user = User(login=name, last_name=name.title())
        self.db.add(user)
        self.db.flush()
        return user

    # --- who is who, as the security policy would see them ---------------------------------
    def identity(self, name):
        user = self.users[name]
        db = self.db
        return Identity(
            user=user, auth_session_id="test",
            roles=frozenset(db.scalars(select(UserRole.role).where(UserRole.user_id == user.id))),
            party_ids=frozenset(db.scalars(select(Membership.party_id).where(
                Membership.user_id == user.id, Membership.state == "active"))),
            managed_party_ids=frozenset(db.scalars(select(ManagerAssignment.party_id).where(
                ManagerAssignment.user_id == user.id))),
        )

    def service_for(self, name):
        principals = principals_for(self.identity(name))
        return WorkflowService(
            self.db, actor_id=self.users[name].id,
            permits=lambda permission, resource: bool(self.acl.permits(resource, principals, permission)),
            notify=lambda event: None,
        )

    def party_resource(self):
        return PartyResource(self.party, factories.party_container(self.db))

    def thread_resource(self, thread):
        return ThreadResource(thread, ThreadsContainer(self.party_resource()))

    def may(self, name, permission, resource):
        return bool(self.acl.permits(resource, principals_for(self.identity(name)), permission))

    def from_staff(self, name):
        return self.party.id not in self.identity(name).party_ids

    # --- what people do ------------------------------------------------------------------------
    @rule(target=threads, author=st.sampled_from(WRITERS), subject=st.text(min_size=3, max_size=20))
    def start_thread(self, author, subject):
        if not self.may(author, "messages:send", ThreadsContainer(self.party_resource())):
            with pytest.raises(service.ThreadRefused):  # the view would refuse; so does the service
                service.start_thread(self.service_for(author), party_id=self.party.id,
                                     author_id=self.users[author].id, from_staff=self.from_staff(author),
                                     subject=subject, body="Hello")
            return multiple()
        thread, _message = service.start_thread(
            self.service_for(author), party_id=self.party.id, author_id=self.users[author].id,
            from_staff=self.from_staff(author), subject=subject, body="Hello")
        return thread

    @rule(thread=threads, author=st.sampled_from(WRITERS))
    def write(self, thread, author):
        if not self.may(author, "messages:send", self.thread_resource(thread)):
            return  # the view would refuse: a revoked member may not write
        service.post_message(self.service_for(author), thread, author_id=self.users[author].id,
                             from_staff=self.from_staff(author), body="More")

    @rule(name=st.sampled_from(PEOPLE))
    def show_counter(self, name):
        """Any page of the portal, as the layout renders its counter for ``name``."""
        identity = self.identity(name)
        query = visible_parties_query(identity)
        scope = None if query.whereclause is None else query.with_only_columns(Party.id)
        service.deliver_pending(self.service_for(name), identity.user.id, lambda party_id: self.party_resource(),
                                scope)
        assert service.unread_summary(self.db, identity.user.id, scope).undelivered == 0

    @rule(thread=threads, name=st.sampled_from(PEOPLE))
    def open_thread(self, thread, name):
        resource = self.thread_resource(thread)
        before = self.states()
        read = service.mark_thread_read(self.service_for(name), resource, self.users[name].id)
        if not self.may(name, "messages:view", resource):
            assert read == [] and self.states() == before
            return
        left = self.db.scalar(
            select(MessageReceipt.message_id).join(Message, Message.id == MessageReceipt.message_id)
            .where(Message.thread_id == thread.id, MessageReceipt.user_id == self.users[name].id,
                   MessageReceipt.read_at.is_(None)).limit(1))
        assert left is None

    @rule(thread=threads, name=st.sampled_from(WRITERS))
    def author_looks_at_own_messages(self, thread, name):
        """The author opens a thread and any page: their own messages stay as they were."""
        user_id = self.users[name].id
        own = select(Message.id, Message.state).where(Message.author_id == user_id).order_by(Message.id)
        before = self.db.execute(own).all()
        service.mark_thread_read(self.service_for(name), self.thread_resource(thread), user_id)
        self.show_counter(name)
        self.db.expire_all()
        assert self.db.execute(own).all() == before

    @rule(thread=threads)
    def former_member_looks(self, thread):
        """The colleague leaves, then opens a page and the thread (by a kept link): nothing moves."""
        self.colleague_membership(False)
        before = self.states()
        self.show_counter("colleague")
        assert service.mark_thread_read(self.service_for("colleague"), self.thread_resource(thread),
                                        self.users["colleague"].id) == []
        assert self.states() == before

    @rule(active=st.booleans())
    def colleague_membership(self, active):
        """The colleague leaves the party or comes back: what they may no longer see they cannot move."""
        membership = self.db.scalars(select(Membership).where(Membership.user_id == self.users["colleague"].id)).one()
        membership.state = "active" if active else "revoked"
        self.db.flush()

    # --- what must always hold -------------------------------------------------------------------
    def states(self):
        self.db.expire_all()
        return {m.id: m.state for m in self.db.scalars(select(Message))}

    @invariant()
    def states_never_go_back(self):
        for message_id, state in self.states().items():
            assert state in RANK
            assert RANK[state] >= self.seen_ranks.get(message_id, 0)
            self.seen_ranks[message_id] = RANK[state]

    @invariant()
    def states_agree_with_the_receipts(self):
        messages = self.db.scalars(select(Message)).all()
        receipts = self.db.scalars(select(MessageReceipt)).all()
        by_message = {}
        for receipt in receipts:
            by_message.setdefault(receipt.message_id, []).append(receipt)
        for message in messages:
            mine = by_message.get(message.id, [])
            assert all(r.user_id != message.author_id for r in mine)
            assert (message.state == "read") == any(r.read_at is not None for r in mine)
            assert (message.state != "sent") == any(r.delivered_at is not None for r in mine)
            for r in mine:
                assert r.read_at is None or (r.delivered_at is not None and r.delivered_at <= r.read_at)

    @invariant()
    def every_move_is_recorded_once_by_a_recipient(self):
        entries = {}
        for entry in self.db.scalars(select(WorkflowHistory).where(WorkflowHistory.workflow == MESSAGE.name)
                                     .order_by(WorkflowHistory.id)):
            entries.setdefault(entry.item_id, []).append(entry)
        recipients = {}
        for message_id, user_id in self.db.execute(select(MessageReceipt.message_id, MessageReceipt.user_id)):
            recipients.setdefault(message_id, set()).add(user_id)
        for message in self.db.scalars(select(Message)):
            first, *moves = entries[message.id]
            assert first.transition == "create" and first.actor_id == message.author_id
            path = [e.transition for e in moves]
            if message.state == "sent":
                assert path == []
            elif message.state == "delivered":
                assert path == ["deliver"]
            else:
                assert path in (["read"], ["deliver", "read"])
            assert all(e.actor_id in recipients.get(message.id, ()) for e in moves)

    @invariant()
    def every_thread_belongs_to_the_party(self):
        assert all(t.party_id == self.party.id for t in self.db.scalars(select(MessageThread)))


MessageStates.TestCase.settings = settings(max_examples=50, stateful_step_count=20, deadline=None)
TestMessageStates = MessageStates.TestCase
