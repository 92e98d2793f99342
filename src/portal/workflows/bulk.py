"""One transition applied to many items of a workflow with a constant number of statements.

``Workflow.apply`` locks, updates and records one item at a time: three
statements per item. An automatic move of many items at once — a recipient
who is shown 200 messages gets all of them delivered — would cost hundreds.
Here the items are locked with one ``SELECT … FOR UPDATE`` (in id order, so
two such calls cannot deadlock), moved with one UPDATE (their version counter
too) and recorded with one multi-row INSERT into the same history table as
the engine's; each item still emits its own ``TransitionApplied`` event.

The checks are the engine's: the transition must exist and the actor must hold
its permission (asked once: the items share one resource). An item no longer
in a from-state, or refused by the transition's guard, is left as it is and
not reported: for automatic moves "not any more" is not an error. Side effects
change items one by one, so a transition with effects is refused here: use
``Workflow.apply`` for those.
"""
from collections.abc import Iterable

from sqlalchemy import insert, inspect, select, update

from portal.i18n import _
from portal.workflows.engine import (
    NotPermitted,
    TransitionApplied,
    TransitionContext,
    TransitionNotAllowed,
    Workflow,
    WorkflowDefinitionError,
)
from portal.workflows.models import WorkflowHistory


def apply_many(workflow: Workflow, items: Iterable, name: str, ctx: TransitionContext, *,
               permits, notify=None) -> list[TransitionApplied]:
    """Apply transition ``name`` to every item that may take it now; the events of those that did."""
    ctx.workflow = workflow
    transition = workflow.transitions.get(name)
    if transition is None:
        raise TransitionNotAllowed(_("This action does not exist."))
    if transition.effects:
        raise WorkflowDefinitionError(f"{workflow.name}.{name} has side effects: apply it item by item")
    items = list(items)
    if not items:
        return []
    if not permits(transition.permission):
        raise NotPermitted(_("You may not do this."))
    session, model = ctx.session, workflow.model
    locked = session.scalars(
        select(model).where(model.id.in_([item.id for item in items])).order_by(model.id)
        .with_for_update().execution_options(populate_existing=True)
    ).all()
    moved = [
        (item, item.state) for item in locked
        if item.state in transition.from_states
        and (transition.guard is None or transition.guard(item, ctx) is None)
    ]
    if not moved:
        return []
    values = {"state": transition.to_state}
    mapper = inspect(model)
    if mapper.version_id_col is not None:
        version = mapper.get_property_by_column(mapper.version_id_col).key
        values[version] = getattr(model, version) + 1
    session.execute(
        update(model)
        .where(model.id.in_([item.id for item, _from in moved]), model.state.in_(transition.from_states))
        .values(values)
        .execution_options(synchronize_session="fetch")
    )
    session.execute(insert(WorkflowHistory), [
        workflow.history_values(ctx, item, transition.name, from_state, transition.to_state)
        for item, from_state in moved
    ])
    events = [
        TransitionApplied(workflow, item, transition.name, from_state, transition.to_state,
                          ctx.actor_id, ctx.comment, ctx)
        for item, from_state in moved
    ]
    if notify is not None:
        for event in events:
            notify(event)
    return events
