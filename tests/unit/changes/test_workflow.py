"""The change request workflow on its own: the ACL of each state, who may take which transition, and a
hypothesis state machine that drives it with random actors through the tree's real ACLs."""
from types import SimpleNamespace

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from pyramid.authorization import ACLHelper, Allow
from sqlalchemy import select

from portal.changes.resources import ChangeRequestItem, ChangesContainer
from portal.changes.services import approve_and_apply, draft_change_request, revise_draft
from portal.changes.workflow import CHANGE_REQUEST, FIELDS, current_values
from portal.identity.models import User
from portal.parties.models import Party
from portal.parties.resources import PartyResource
from portal.security.permissions import Permission as P
from portal.security.principals import Identity, principals_for
from portal.workflows.engine import CREATE, WorkflowError
from portal.workflows.models import WorkflowHistory
from portal.workflows.services import WorkflowService
from tests import factories
from tests.factories.changes import PARTY_VALUES
from tests.unit.workflows.toy import make_session

helper = ACLHelper()
PARTY, OTHER, AUTHOR = 42, 43, 7


def principals(user_id, roles=(), parties=(), managed=()):
    return principals_for(Identity(SimpleNamespace(id=user_id), "", frozenset(roles), frozenset(parties),
                                   frozenset(managed)))


# Who acts in the tests, as the security policy would describe them.
ACTORS = {
    "author": principals(AUTHOR, parties=[PARTY]),
    "member": principals(8, parties=[PARTY]),
    "outsider": principals(9, parties=[OTHER]),
    "backoffice": principals(10, roles=["backoffice"]),
    "head": principals(11, roles=["head"]),
    "service": principals(12, roles=["service"]),
    "manager_of": principals(13, managed=[PARTY]),
    "manager_of_other": principals(14, managed=[OTHER]),
}


def item_resource(state, author_id=AUTHOR):
    item = SimpleNamespace(id=1, state=state, author_id=author_id, party_id=PARTY)
    party = PartyResource(SimpleNamespace(id=PARTY), factories.party_container(None))
    return ChangeRequestItem(item, ChangesContainer(party))


# --- the ACL of each state ----------------------------------------------------------------------

@pytest.mark.parametrize("state,expected", [
    ("draft", [(Allow, f"user:{AUTHOR}", (P.ChangesEdit,))]),
    ("submitted", [(Allow, f"user:{AUTHOR}", (P.ChangesEdit,))]),
    ("approved", []),
    ("applied", []),
    ("rejected", []),
    ("withdrawn", []),
])
def test_acl_per_state(state, expected):
    assert CHANGE_REQUEST.acl(SimpleNamespace(state=state, author_id=AUTHOR, party_id=PARTY)) == expected
    # An author whose account is gone leaves nobody with edit rights.
    assert CHANGE_REQUEST.acl(SimpleNamespace(state=state, author_id=None, party_id=PARTY)) == []


def test_every_state_is_covered_by_the_acl_test():
    assert set(CHANGE_REQUEST.states) == {"draft", "submitted", "approved", "applied", "rejected", "withdrawn"}


VIEW, EDIT, DECIDE = P.ChangesView, P.ChangesEdit, P.ChangesDecide
# What each actor holds on a change request of PARTY: (while draft or submitted, afterwards).
HOLDS = {
    "author": ({VIEW, EDIT}, {VIEW}),
    "member": ({VIEW}, {VIEW}),
    "outsider": (set(), set()),
    "backoffice": ({VIEW, DECIDE}, {VIEW, DECIDE}),
    "head": ({VIEW}, {VIEW}),
    "service": ({VIEW}, {VIEW}),
    "manager_of": ({VIEW, DECIDE}, {VIEW, DECIDE}),
    "manager_of_other": (set(), set()),
}


@pytest.mark.parametrize("state", sorted(CHANGE_REQUEST.states))
@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_permissions_through_the_tree(state, actor):
    resource = item_resource(state)
    held = {p for p in (VIEW, EDIT, DECIDE) if helper.permits(resource, ACTORS[actor], p)}
    assert held == HOLDS[actor][0 if state in ("draft", "submitted") else 1]


# Which transitions each actor is offered in each state (no final state offers any).
OFFERED = {
    ("author", "draft"): {"submit", "withdraw"},
    ("author", "submitted"): {"withdraw"},
    ("backoffice", "submitted"): {"approve", "reject"},
    ("manager_of", "submitted"): {"approve", "reject"},
    ("backoffice", "approved"): {"apply"},
    ("manager_of", "approved"): {"apply"},
}


@pytest.mark.parametrize("state", sorted(CHANGE_REQUEST.states))
@pytest.mark.parametrize("actor", sorted(ACTORS))
def test_transitions_offered(state, actor):
    resource = item_resource(state)
    offered = CHANGE_REQUEST.available(resource.item, lambda p: helper.permits(resource, ACTORS[actor], p))
    assert {t.name for t in offered} == OFFERED.get((actor, state), set())


# --- random walks -----------------------------------------------------------------------------------

# A second value per field, so a request may ask for a change or (to the guard's refusal) for none.
OTHER_VALUES = {
    "billing_address": "Kazan, Kremlyovskaya 2", "contact_person": "Anna Sidorova", "email": "new@party.test",
    "phone": "+7 843 000-00-02", "bank_name": "AO Alfa-Bank", "bank_bic": "044525593",
    "bank_account": "40702810100000000099", "invoice_channel": "edi", "invoice_email": "bills@party.test",
}
CHANGES = st.dictionaries(
    st.sampled_from(sorted(FIELDS)), st.sampled_from(["old", "new"]), min_size=1,
).map(lambda picks: {name: (PARTY_VALUES if pick == "old" else OTHER_VALUES)[name] for name, pick in picks.items()})
STATE_ACTORS = ("author", "member", "backoffice", "manager_of", "manager_of_other")


class ChangeRequestMachine(RuleBasedStateMachine):
    """One change request of one party, acted on by random people through the service and the tree's ACL."""

    def __init__(self):
        super().__init__()
        self.session = make_session()  # a database of its own per example, like the other machines
        self.party = Party(name="Machine Co", **PARTY_VALUES)
        self.other = Party(name="Other Co")
        self.session.add_all([self.party, self.other])
        self.session.flush()
        self.principals, self.actor_ids = {}, {}
        for name in STATE_ACTORS:
            user = User(login=f"machine-{name}")
            self.session.add(user)
            self.session.flush()
            self.actor_ids[name] = user.id
            self.principals[name] = principals(
                user.id,
                roles=["backoffice"] if name == "backoffice" else [],
                parties=[self.party.id] if name in ("author", "member") else [],
                managed=[{"manager_of": self.party.id, "manager_of_other": self.other.id}[name]]
                if name.startswith("manager") else [],
            )
        self.applied = []  # (actor, transition, was it permitted by the ACL) of each applied transition

    def teardown(self):
        self.session.close()
        self.session.get_bind().dispose()

    def service(self, actor):
        return WorkflowService(
            self.session, actor_id=self.actor_ids[actor],
            permits=lambda permission, resource: bool(helper.permits(resource, self.principals[actor], permission)),
            notify=None,
        )

    @initialize(changes=CHANGES)
    def create(self, changes):
        item = draft_change_request(self.service("author"), party=self.party, author_id=self.actor_ids["author"],
                                    changes=changes)
        tree = ChangesContainer(PartyResource(self.party, factories.party_container(self.session)))
        self.resource = ChangeRequestItem(item, tree)
        self.expected_party = current_values(self.party)

    def permitted(self, actor, permission):
        return bool(helper.permits(self.resource, self.principals[actor], permission))

    @rule(actor=st.sampled_from(STATE_ACTORS), name=st.sampled_from(sorted(CHANGE_REQUEST.transitions)),
          comment=st.sampled_from(["", "   ", "a reason"]))
    def take(self, actor, name, comment):
        item, transition = self.resource.item, CHANGE_REQUEST.transitions[name]
        state, allowed = item.state, self.permitted(actor, transition.permission)
        try:
            self.service(actor).apply(self.resource, name, comment=comment)
        except WorkflowError:
            assert item.state == state
            return
        assert allowed and state in transition.from_states and item.state == transition.to_state
        self.applied.append((actor, name, allowed))
        if name == "apply":
            self.expected_party.update(item.changes)
        if name == "reject":
            assert item.reason == comment.strip() != ""

    @rule(actor=st.sampled_from(STATE_ACTORS))
    def approve_and_apply(self, actor):
        item, state = self.resource.item, self.resource.item.state
        allowed = self.permitted(actor, P.ChangesDecide)
        try:
            approve_and_apply(self.service(actor), self.resource)
        except WorkflowError:
            assert item.state == state  # refused at the approval: nothing half-done to abort
            return
        assert allowed and state == "submitted" and item.state == "applied"
        self.applied += [(actor, "approve", allowed), (actor, "apply", allowed)]
        self.expected_party.update(item.changes)

    @rule(actor=st.sampled_from(STATE_ACTORS), changes=CHANGES)
    def edit(self, actor, changes):
        """What the edit view does: its permission first, then the service's state check."""
        item = self.resource.item
        before = dict(item.changes)
        if not self.permitted(actor, P.ChangesEdit):
            assert actor != "author" or item.state not in ("draft", "submitted")
            return
        try:
            revise_draft(self.session, item, changes)
        except WorkflowError:
            assert item.state != "draft" and item.changes == before
            return
        assert actor == "author" and item.state == "draft" and item.changes == changes

    @invariant()
    def state_is_declared(self):
        if hasattr(self, "resource"):
            assert self.resource.item.state in CHANGE_REQUEST.states

    @invariant()
    def history_follows_declared_transitions_by_permitted_actors(self):
        if not hasattr(self, "resource"):
            return
        entries = self.session.scalars(
            select(WorkflowHistory).where(WorkflowHistory.item_id == self.resource.item.id,
                                          WorkflowHistory.workflow == CHANGE_REQUEST.name)
            .order_by(WorkflowHistory.id)
        ).all()
        assert (entries[0].transition, entries[0].to_state) == (CREATE, CHANGE_REQUEST.initial)
        state = CHANGE_REQUEST.initial
        for entry in entries[1:]:
            declared = CHANGE_REQUEST.transitions[entry.transition]
            assert entry.from_state == state and state in declared.from_states
            assert entry.to_state == declared.to_state
            state = entry.to_state
        assert state == self.resource.item.state
        recorded = [(e.actor_id, e.transition) for e in entries[1:]]
        assert recorded == [(self.actor_ids[a], n) for a, n, _ok in self.applied]
        assert all(ok for _a, _n, ok in self.applied)

    @invariant()
    def party_changes_only_through_apply(self):
        if hasattr(self, "resource"):
            self.session.flush()
            assert current_values(self.party) == self.expected_party


ChangeRequestMachine.TestCase.settings = settings(
    max_examples=100, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow],
)
TestChangeRequestMachine = ChangeRequestMachine.TestCase


def walk(steps):
    """Drive the machine by hand through ``steps`` (rule name, arguments), checking its invariants after each."""
    machine = ChangeRequestMachine()
    try:
        machine.create(changes={"email": OTHER_VALUES["email"]})
        seen = [machine.resource.item.state]
        for rule_name, *args in steps:
            getattr(machine, rule_name)(*args)
            machine.state_is_declared()
            machine.history_follows_declared_transitions_by_permitted_actors()
            machine.party_changes_only_through_apply()
            seen.append(machine.resource.item.state)
        return seen, current_values(machine.party)
    finally:
        machine.teardown()


def test_the_machine_reaches_every_state_and_applies_only_on_apply():
    seen, party = walk([
        ("edit", "member", {"phone": OTHER_VALUES["phone"]}),  # not the author: no edit
        ("edit", "author", {"email": OTHER_VALUES["email"], "phone": OTHER_VALUES["phone"]}),
        ("take", "member", "submit", ""), ("take", "author", "submit", ""),
        ("take", "manager_of_other", "approve", ""), ("take", "author", "approve", ""),
        ("take", "manager_of", "approve", ""),
    ])
    assert seen == ["draft", "draft", "draft", "draft", "submitted", "submitted", "submitted", "approved"]
    assert party == PARTY_VALUES  # approved, not applied yet
    seen, party = walk([("take", "author", "submit", ""), ("approve_and_apply", "member"),
                        ("approve_and_apply", "backoffice")])
    assert seen[-1] == "applied" and party == dict(PARTY_VALUES, email=OTHER_VALUES["email"])
    seen, _ = walk([("take", "author", "submit", ""), ("take", "backoffice", "reject", "  "),
                    ("take", "backoffice", "reject", "No.")])
    assert seen[-2:] == ["submitted", "rejected"]
    seen, _ = walk([("take", "author", "submit", ""), ("take", "member", "withdraw", ""),
                    ("take", "author", "withdraw", "")])
    assert seen[-2:] == ["submitted", "withdrawn"]
