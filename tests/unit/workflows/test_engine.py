"""The engine on a toy workflow: declarations, permissions, guards, history, staleness, events."""
import pytest
from pyramid.authorization import Allow

from portal.workflows.engine import (
    GuardRefused,
    NotPermitted,
    StaleItem,
    State,
    Transition,
    TransitionContext,
    TransitionNotAllowed,
    Workflow,
    WorkflowDefinitionError,
)
from tests.unit.workflows.toy import TOY, Toy, make_session

ALL = lambda permission: True  # noqa: E731


@pytest.fixture
def session():
    with make_session() as s:
        yield s


def ctx(session, comment="", actor_id=1, **data):
    return TransitionContext(session=session, actor_id=actor_id, comment=comment, data=data)


def new_toy(session, events=None):
    toy = Toy()
    TOY.start(toy, ctx(session), notify=(events.append if events is not None else None))
    return toy


def test_start_puts_item_in_initial_state_and_records_creation(session):
    events = []
    toy = new_toy(session, events)
    assert toy.state == "draft"
    [entry] = TOY.history(session, toy)
    assert (entry.transition, entry.from_state, entry.to_state) == ("create", None, "draft")
    assert events[0].transition == "create"


def test_apply_moves_state_runs_effects_records_and_notifies(session):
    events = []
    toy = new_toy(session)
    event = TOY.apply(toy, "submit", ctx(session, note="hello"), permits=ALL, notify=events.append)
    assert toy.state == "open" and toy.note == "hello"
    assert (event.from_state, event.to_state) == ("draft", "open")
    assert events == [event]
    assert [h.transition for h in TOY.history(session, toy)] == ["create", "submit"]
    assert TOY.last_entry(session, toy).to_state == "open"


def test_transition_from_wrong_state_is_refused_and_changes_nothing(session):
    toy = new_toy(session)
    with pytest.raises(TransitionNotAllowed) as info:
        TOY.apply(toy, "finish", ctx(session), permits=ALL)
    assert toy.state == "draft"
    assert info.value.last.transition == "create"
    assert len(TOY.history(session, toy)) == 1


def test_unknown_transition_is_refused(session):
    toy = new_toy(session)
    with pytest.raises(TransitionNotAllowed):
        TOY.apply(toy, "explode", ctx(session), permits=ALL)


def test_permission_is_checked(session):
    toy = new_toy(session)
    asked = []

    def permits(permission):
        asked.append(permission)
        return False

    with pytest.raises(NotPermitted):
        TOY.apply(toy, "submit", ctx(session), permits=permits)
    assert asked == ["toy:edit"] and toy.state == "draft"


def test_guard_and_required_comment(session):
    toy = new_toy(session)
    TOY.apply(toy, "submit", ctx(session), permits=ALL)
    with pytest.raises(GuardRefused) as info:
        TOY.apply(toy, "finish", ctx(session, comment="DONE NOW"), permits=ALL)
    assert info.value.message == "no shouting"
    with pytest.raises(GuardRefused):
        TOY.apply(toy, "drop", ctx(session, comment="   "), permits=ALL)
    assert toy.state == "open"
    TOY.apply(toy, "drop", ctx(session, comment="not needed"), permits=ALL)
    assert TOY.last_entry(session, toy).comment == "not needed"


def test_stale_version_is_refused(session):
    toy = new_toy(session)
    seen = toy.version
    TOY.apply(toy, "submit", ctx(session), permits=ALL)
    TOY.apply(toy, "finish", ctx(session), permits=ALL)
    TOY.apply(toy, "reopen", ctx(session), permits=ALL)
    with pytest.raises(StaleItem) as info:
        TOY.apply(toy, "finish", ctx(session), permits=ALL, expected_version=seen)
    assert info.value.last.transition == "reopen"
    assert toy.state == "open"


def test_available_filters_by_state_permission_and_guard(session):
    toy = new_toy(session)
    names = lambda perms, c=None: [t.name for t in TOY.available(toy, lambda p: p in perms, c)]  # noqa: E731
    assert names({"toy:edit", "toy:decide"}) == ["submit", "drop"]
    assert names({"toy:decide"}) == ["drop"]
    TOY.apply(toy, "submit", ctx(session), permits=ALL)
    assert names({"toy:decide"}, ctx(session, comment="LOUD")) == ["drop"]
    assert names({"toy:decide"}, ctx(session, comment="quiet")) == ["finish", "drop"]


def test_per_state_acl(session):
    toy = new_toy(session)
    toy.author_id = 7
    assert TOY.acl(toy) == [(Allow, "user:7", ("toy:edit",))]
    TOY.apply(toy, "submit", ctx(session), permits=ALL)
    assert TOY.acl(toy) == []


@pytest.mark.parametrize("states,initial,transitions,roles,message", [
    ([State("a", "A", final=True)], "x", [], {}, "initial state"),
    ([State("a", "A"), State("b", "B", final=True)], "a",
     [Transition("go", frozenset({"a"}), "c", "p", "Go")], {}, "undeclared"),
    ([State("a", "A"), State("b", "B", final=True), State("c", "C", final=True)], "a",
     [Transition("go", frozenset({"a"}), "b", "p", "Go")], {}, "unreachable"),
    ([State("a", "A"), State("b", "B")], "a",
     [Transition("go", frozenset({"a"}), "b", "p", "Go")], {}, "dead end"),
    ([State("a", "A", acl=(("boss", ("p",)),)), State("b", "B", final=True)], "a",
     [Transition("go", frozenset({"a"}), "b", "p", "Go")], {}, "unknown role"),
    ([State("a", "A"), State("b", "B", final=True)], "a",
     [Transition("create", frozenset({"a"}), "b", "p", "Go")], {}, "reserved"),
])
def test_bad_declarations_are_refused(states, initial, transitions, roles, message):
    with pytest.raises(WorkflowDefinitionError, match=message):
        Workflow("bad", Toy, states, initial, transitions, roles)
