"""The staff dashboard's numbers: items by state, overdue and due today, counted with GROUP BY.

One query per kind of item, however many items there are; the parties
counted are those the member of staff may see (``StaffScope``), so a manager's
dashboard counts only his own parties.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from portal.staff.queue import StaffScope
from portal.workflows.due import due_between_clause, overdue_clause


@dataclass
class Counts:
    """How many items of one kind there are in each state; overdue and due today where items have due times."""

    kind: str  # the WorkKind's key
    workflow: object
    title: object = None
    by_state: dict = field(default_factory=dict)
    overdue: int | None = None
    due_today: int | None = None

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


def _count_by_state(session, model, scope: StaffScope, *extra):
    statement = select(model.state, func.count(), *extra).group_by(model.state)
    parties = scope.parties(model)
    if parties is not None:
        statement = statement.where(parties)
    return session.execute(statement).all()


def dashboard_counts(session, kinds, scope: StaffScope, *, now: datetime, today: tuple) -> list[Counts]:
    """Each kind's items by state; with overdue and due today where the kind has due times."""
    result = []
    for kind in kinds:
        model = kind.model
        if not kind.has_due:
            counts = Counts(kind.key, kind.workflow, kind.plural)
            for state, count in _count_by_state(session, model, scope):
                counts.by_state[state] = count
            result.append(counts)
            continue
        rows = _count_by_state(
            session, model, scope,
            func.sum(case((overdue_clause(model, now), 1), else_=0)),
            func.sum(case((due_between_clause(model, *today), 1), else_=0)),
        )
        counts = Counts(kind.key, kind.workflow, kind.plural, overdue=0, due_today=0)
        for state, count, overdue, due_today in rows:
            counts.by_state[state] = count
            counts.overdue += int(overdue or 0)
            counts.due_today += int(due_today or 0)
        result.append(counts)
    return result
