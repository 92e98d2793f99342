"""The staff dashboard's numbers: items by state, overdue and due today, counted with GROUP BY.

One query per kind of item, however many items there are; the parties
counted are those the member of staff may see (``StaffScope``), so a manager's
dashboard counts only his own parties.
"""
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from ..models import ChangeRequest
from ..workflows import CHANGE_REQUEST
from .due import due_between_clause, overdue_clause
from .queue import KINDS, StaffScope


@dataclass
class Counts:
    """How many items of one kind there are in each state; overdue and due today where items have due times."""

    kind: str
    workflow: object
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


def dashboard_counts(session, scope: StaffScope, *, now: datetime, today: tuple) -> list[Counts]:
    """Requests and tickets (with overdue and due today), then change requests."""
    result = []
    for kind in KINDS.values():
        model = kind.model
        rows = _count_by_state(
            session, model, scope,
            func.sum(case((overdue_clause(model, now), 1), else_=0)),
            func.sum(case((due_between_clause(model, *today), 1), else_=0)),
        )
        counts = Counts(kind.name, kind.workflow, overdue=0, due_today=0)
        for state, count, overdue, due_today in rows:
            counts.by_state[state] = count
            counts.overdue += int(overdue or 0)
            counts.due_today += int(due_today or 0)
        result.append(counts)
    changes = Counts("change", CHANGE_REQUEST)
    for state, count in _count_by_state(session, ChangeRequest, scope):
        changes.by_state[state] = count
    result.append(changes)
    return result
