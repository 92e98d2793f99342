"""A hypothesis state machine for a real workflow: random actors try random transitions on one item.

Each actor's rights come from the item's place in the real traversal tree
(the per-state ACL of its ``WorkflowItem`` over the party's ACL), asked
through Pyramid's ``ACLHelper`` with the principals the security policy would
give that user. The machine checks after every step that

- the item is only ever in a declared state, and its last history entry says so;
- a transition succeeded only when the actor's ACL granted its permission, the item
  was in one of its from-states, a required comment was given and the guard agreed;
  and a refused one changed nothing (state, assignee, history);
- ``available()`` offers an actor exactly the transitions of the state that its ACL allows;
- nobody outside the party ever moves the item, nor does a read-only role (the head) unless
  the item was assigned to him; the party's own customers only take the steps left to them.
"""
from types import SimpleNamespace

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from pyramid.authorization import ACLHelper
from sqlalchemy import func, select

from portal.identity.models import User, UserRole
from portal.parties.models import Membership, Party
from portal.parties.resources import PartyResource
from portal.root import Root
from portal.security.principals import Identity, principals_for
from portal.workflows.engine import TransitionContext, WorkflowError
from portal.workflows.models import WorkflowHistory
from tests import factories
from tests.unit.workflows.toy import make_session

PARTY_ID, OTHER_PARTY_ID = 1, 2
# name -> (user id, staff roles, member of, manager of)
ACTORS = {
    "customer": (1, (), (PARTY_ID,), ()),
    "other customer": (2, (), (OTHER_PARTY_ID,), ()),
    "service": (3, ("service",), (), ()),
    # Back office holds no right to handle tickets on the party: only being the assignee gives it.
    "assignee": (4, ("backoffice",), (), ()),
    "manager": (5, ("manager",), (), (PARTY_ID,)),
    "head": (6, ("head",), (), ()),
}
STAFF = {name for name, (_id, roles, _m, _g) in ACTORS.items() if roles}
# Who may never move an item of the party: an outsider, and the head (who only reads).
NEVER_MOVES = {"other customer", "head"}
COMMENTS = ("", "   ", "Because.")
HELPER = ACLHelper()


def principals(name):
    user_id, roles, parties, managed = ACTORS[name]
    identity = Identity(user=SimpleNamespace(id=user_id), auth_session_id="", roles=frozenset(roles),
                        party_ids=frozenset(parties), managed_party_ids=frozenset(managed))
    return principals_for(identity)


def populate(session):
    """The two parties and one user per actor, with memberships and roles, as the database holds them."""
    session.add_all([Party(id=PARTY_ID, name="Party"), Party(id=OTHER_PARTY_ID, name="Other")])
    for name, (user_id, roles, parties, _managed) in ACTORS.items():
        session.add(User(id=user_id, login=name.replace(" ", "-")))
        session.add_all(UserRole(user_id=user_id, role=role) for role in roles)
        session.add_all(Membership(user_id=user_id, party_id=p, state="active") for p in parties)
    session.flush()


def workflow_machine(workflow, container_class, make_item, customer_may):
    """A state machine class for ``workflow``; ``make_item(session)`` builds an unsaved item of the party."""

    class WorkflowStates(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.session = make_session()
            populate(self.session)
            self.item = make_item(self.session)
            self.item.party_id = PARTY_ID
            self.item.author_id = ACTORS["customer"][0]
            workflow.start(self.item, self.ctx("customer"))
            root = Root(SimpleNamespace(registry={}, dbsession=self.session))
            party = PartyResource(self.session.get(Party, PARTY_ID), factories.party_container(self.session, root))
            container = container_class(party)
            self.resource = type(container).item_factory(self.item, container)
            self.steps = 1

        def teardown(self):
            self.session.close()

        def ctx(self, actor, comment="", **data):
            return TransitionContext(session=self.session, actor_id=ACTORS[actor][0], comment=comment, data=data)

        def allowed(self, actor, permission) -> bool:
            return bool(HELPER.permits(self.resource, principals(actor), permission))

        @staticmethod
        def is_assignee(actor, assignee_id) -> bool:
            # The guard lets any member of staff be assigned, the head too; the assignee then handles it.
            return ACTORS[actor][0] == assignee_id

        def history_count(self) -> int:
            return self.session.scalar(select(func.count()).select_from(WorkflowHistory).where(
                WorkflowHistory.workflow == workflow.name, WorkflowHistory.item_id == self.item.id))

        @rule(actor=st.sampled_from(sorted(ACTORS)),
              name=st.sampled_from(sorted(workflow.transitions) + ["no-such-step"]),
              comment=st.sampled_from(COMMENTS),
              assignee=st.sampled_from(sorted(ACTORS) + [None]))
        def take(self, actor, name, comment, assignee):
            before = (self.item.state, self.item.assignee_id)
            transition = workflow.transitions.get(name)
            # Asked of the ACL before the step: the step itself may change who holds what.
            granted = transition is not None and self.allowed(actor, transition.permission)
            was_assignee = self.is_assignee(actor, before[1])
            data = {"assignee_id": ACTORS[assignee][0]} if assignee else {}
            try:
                workflow.apply(self.item, name, self.ctx(actor, comment, **data),
                               permits=lambda permission: self.allowed(actor, permission))
            except WorkflowError:
                assert (self.item.state, self.item.assignee_id) == before
                assert self.history_count() == self.steps
                return
            self.steps += 1
            assert transition is not None
            assert before[0] in transition.from_states, (name, before)
            assert self.item.state == transition.to_state
            assert granted, (actor, name, before)
            assert comment.strip() or not transition.comment_required
            assert actor not in NEVER_MOVES or was_assignee, (actor, name)
            assert actor in STAFF or name in customer_may, (actor, name)
            if name == "assign":
                assert assignee in STAFF and self.item.assignee_id == ACTORS[assignee][0]
            assert self.history_count() == self.steps

        @invariant()
        def only_declared_states(self):
            assert self.item.state in workflow.states
            last = workflow.last_entry(self.session, self.item)
            assert last.to_state == self.item.state and last.to_state in workflow.states

        @invariant()
        def offers_exactly_what_the_acl_allows(self):
            for actor in ACTORS:
                offered = {t.name for t in workflow.available(self.item, lambda p: self.allowed(actor, p))}
                expected = {t.name for t in workflow.transitions.values()
                            if self.item.state in t.from_states and self.allowed(actor, t.permission)}
                assert offered == expected
                if actor in NEVER_MOVES and not self.is_assignee(actor, self.item.assignee_id):
                    assert not offered, (actor, self.item.state, offered)

    WorkflowStates.TestCase.settings = settings(
        max_examples=50, stateful_step_count=25, deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    return WorkflowStates
