"""The workflow engine: declared states and named transitions, applied under a row lock.

A workflow is data: its states (with titles and per-state ACL additions) and
its transitions (from-states, to-state, permission, guard, side effects). The
engine knows no workflow in particular and nothing of HTTP: the caller passes
``permits(permission) -> bool`` and ``notify(event)``.
"""
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from pyramid.authorization import Allow
from sqlalchemy import select
from sqlalchemy.orm.attributes import flag_modified

from portal.db.meta import utcnow
from portal.i18n import _
from portal.workflows.models import WorkflowHistory

CREATE = "create"


class WorkflowDefinitionError(Exception):
    """A workflow declaration that cannot work (found at configuration time)."""


class WorkflowError(Exception):
    """A transition that was refused; ``message`` is translatable and meant for the user."""

    def __init__(self, message, last=None):
        super().__init__(str(message))
        self.message = message
        self.last = last  # the item's latest WorkflowHistory entry, for "already decided by X"


class NotPermitted(WorkflowError):
    pass


class TransitionNotAllowed(WorkflowError):
    pass


class StaleItem(WorkflowError):
    pass


class GuardRefused(WorkflowError):
    pass


@dataclass(frozen=True)
class State:
    """A state; ``acl`` adds (role, permissions) pairs while an item is in it."""

    name: str
    title: object
    acl: tuple = ()
    final: bool = False
    # The comment that moved an item into this state is a question for the other side ("waiting for
    # you"): item pages show it above the actions until the item moves on.
    asks: bool = False


@dataclass(frozen=True)
class Transition:
    """A named move from some states to one state, guarded by a permission."""

    name: str
    from_states: frozenset
    to_state: str
    permission: str
    title: object
    guard: Callable | None = None  # (item, ctx) -> refusal message or None
    effects: tuple = ()  # (item, ctx) -> None, run after the state changed
    comment_required: bool = False
    style: str = "default"


@dataclass
class TransitionContext:
    """What a guard or side effect may use: the session, who acts, when, and form data."""

    session: object
    actor_id: int | None
    comment: str = ""
    now: datetime = field(default_factory=utcnow)
    data: dict = field(default_factory=dict)
    workflow: "Workflow | None" = None


@dataclass(frozen=True)
class TransitionApplied:
    """The event every applied transition (and every creation) emits."""

    workflow: "Workflow"
    item: object
    transition: str
    from_state: str | None
    to_state: str
    actor_id: int | None
    comment: str
    context: TransitionContext
    entry: WorkflowHistory | None = None  # the history row it recorded (the bulk path records many at once)


class Workflow:
    """States, an initial state, transitions and the roles per-state ACLs may name."""

    def __init__(self, name, model, states: Iterable[State], initial: str,
                 transitions: Iterable[Transition], roles: dict[str, Callable] | None = None,
                 title=None):
        self.name = name
        self.title = title or name
        self.model = model
        self.states = {s.name: s for s in states}
        self.state_titles = {name: state.title for name, state in self.states.items()}
        self.initial = initial
        self.transitions = {t.name: t for t in transitions}
        self.roles = roles or {}
        self.check()

    # --- declaration -----------------------------------------------------------
    def check(self) -> None:
        """Refuse a declaration with unknown states, dead ends or unreachable states."""
        if self.initial not in self.states:
            raise WorkflowDefinitionError(f"{self.name}: initial state {self.initial!r} is not declared")
        if CREATE in self.transitions:
            raise WorkflowDefinitionError(f"{self.name}: {CREATE!r} is reserved for creation")
        for t in self.transitions.values():
            unknown = (set(t.from_states) | {t.to_state}) - set(self.states)
            if unknown:
                raise WorkflowDefinitionError(f"{self.name}.{t.name}: undeclared states {sorted(unknown)}")
            if not t.from_states:
                raise WorkflowDefinitionError(f"{self.name}.{t.name}: no from-state")
        for state in self.states.values():
            for role, _perms in state.acl:
                if ":" not in role and role not in self.roles:
                    raise WorkflowDefinitionError(f"{self.name}.{state.name}: unknown role {role!r}")
            outgoing = [t for t in self.transitions.values() if state.name in t.from_states]
            if not state.final and not outgoing:
                raise WorkflowDefinitionError(f"{self.name}: {state.name!r} is a dead end but not final")
        reachable, frontier = {self.initial}, [self.initial]
        while frontier:
            current = frontier.pop()
            for t in self.transitions.values():
                if current in t.from_states and t.to_state not in reachable:
                    reachable.add(t.to_state)
                    frontier.append(t.to_state)
        unreachable = set(self.states) - reachable
        if unreachable:
            raise WorkflowDefinitionError(f"{self.name}: unreachable states {sorted(unreachable)}")

    def state(self, name) -> State:
        return self.states[name]

    # --- authorisation -------------------------------------------------------
    def acl(self, item) -> list:
        """The ACEs the item's current state adds, roles resolved to principals."""
        aces = []
        for role, permissions in self.states[item.state].acl:
            principals = [role] if ":" in role else self.roles[role](item)
            aces.extend((Allow, principal, tuple(permissions)) for principal in principals if principal)
        return aces

    def available(self, item, permits, ctx: TransitionContext | None = None) -> list[Transition]:
        """The transitions this user may take now: right state, permission, guard passes."""
        result = []
        for t in self.transitions.values():
            if item.state not in t.from_states or not permits(t.permission):
                continue
            if t.guard is not None and ctx is not None and t.guard(item, ctx) is not None:
                continue
            result.append(t)
        return result

    # --- applying ----------------------------------------------------------------
    def start(self, item, ctx: TransitionContext, notify=None) -> None:
        """Put a new item in its initial state and record its creation."""
        ctx.workflow = self
        item.state = self.initial
        ctx.session.add(item)
        ctx.session.flush()
        entry = self._record(ctx, item, CREATE, None, self.initial)
        if notify is not None:
            notify(TransitionApplied(self, item, CREATE, None, self.initial, ctx.actor_id, ctx.comment, ctx,
                                     entry))

    def apply(self, item, name: str, ctx: TransitionContext, *, permits, notify=None,
              expected_version: int | None = None) -> TransitionApplied:
        """Apply transition ``name``; refuse with a WorkflowError and change nothing otherwise."""
        ctx.workflow = self
        transition = self.transitions.get(name)
        if transition is None:
            raise TransitionNotAllowed(_("This action does not exist."))
        self._lock(ctx.session, item)
        if item.state not in transition.from_states:
            raise TransitionNotAllowed(
                _("This action is no longer possible: the item is now “${state}”.",
                  mapping={"state": self.states[item.state].title}),
                last=self.last_entry(ctx.session, item),
            )
        if expected_version is not None and item.version != expected_version:
            raise StaleItem(_("Someone else has changed this item meanwhile. Review it and try again."),
                            last=self.last_entry(ctx.session, item))
        if not permits(transition.permission):
            raise NotPermitted(_("You may not do this."))
        if transition.comment_required and not ctx.comment.strip():
            raise GuardRefused(_("Please give a reason."))
        if transition.guard is not None:
            refusal = transition.guard(item, ctx)
            if refusal is not None:
                raise GuardRefused(refusal)
        from_state = item.state
        item.state = transition.to_state
        # Always an UPDATE, so the version moves even when nothing else changes
        # (assigning to the same person again): a page opened before is stale.
        flag_modified(item, "state")
        for effect in transition.effects:
            effect(item, ctx)
        ctx.session.flush()
        entry = self._record(ctx, item, transition.name, from_state, transition.to_state)
        event = TransitionApplied(self, item, transition.name, from_state, transition.to_state,
                                  ctx.actor_id, ctx.comment, ctx, entry)
        if notify is not None:
            notify(event)
        return event

    def _lock(self, session, item) -> None:
        """Re-read the item under a row lock, so of two deciders the second sees the first's result."""
        model = type(item)
        session.execute(
            select(model).where(model.id == item.id).with_for_update()
            .execution_options(populate_existing=True)
        ).scalar_one()

    def history_values(self, ctx, item, transition, from_state, to_state) -> dict:
        """The columns of one history row (the bulk path inserts many at once)."""
        return {"workflow": self.name, "item_id": item.id, "transition": transition,
                "from_state": from_state, "to_state": to_state, "actor_id": ctx.actor_id,
                "at": ctx.now, "comment": ctx.comment or ""}

    def _record(self, ctx, item, transition, from_state, to_state) -> WorkflowHistory:
        entry = WorkflowHistory(**self.history_values(ctx, item, transition, from_state, to_state))
        ctx.session.add(entry)
        return entry

    # --- history -------------------------------------------------------------------
    def history(self, session, item) -> list[WorkflowHistory]:
        return session.scalars(
            select(WorkflowHistory)
            .where(WorkflowHistory.workflow == self.name, WorkflowHistory.item_id == item.id)
            .order_by(WorkflowHistory.at, WorkflowHistory.id)
        ).all()

    def last_entry(self, session, item) -> WorkflowHistory | None:
        return session.scalars(
            select(WorkflowHistory)
            .where(WorkflowHistory.workflow == self.name, WorkflowHistory.item_id == item.id)
            .order_by(WorkflowHistory.at.desc(), WorkflowHistory.id.desc())
            .limit(1)
        ).first()
