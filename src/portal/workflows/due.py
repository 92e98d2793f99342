"""What "overdue" and "due today" mean, in Python and in SQL.

One definition serves the customer's ticket list, the service queue and the
staff dashboard, so a ticket highlighted as overdue on one page is counted as
overdue on the others. Priorities rank the same way everywhere too.
"""
from datetime import datetime, time, timedelta, timezone

from sqlalchemy import and_, case

from portal.i18n import _
from portal.workflows.priorities import PRIORITY_RANK

# Work on an item is over once it is resolved; a resolved item is never late.
DONE_STATES = ("resolved", "closed")
# The stages of a due time that people are reminded of (outbox/reminders.py), as their notices say them.
DUE_SOON, OVERDUE = "due_soon", "overdue"
STAGE_TITLES = {DUE_SOON: _("Due soon"), OVERDUE: _("Overdue")}
# Plain strings for SQL: low 0 … critical 3.
RANKS = {str(priority): rank for priority, rank in PRIORITY_RANK.items()}


def is_open(state: str) -> bool:
    return state not in DONE_STATES


def is_overdue(due_at: datetime | None, state: str, now: datetime) -> bool:
    """Past its due time and not yet resolved."""
    return due_at is not None and due_at < now and is_open(state)


def open_clause(model):
    return model.state.not_in(DONE_STATES)


def overdue_clause(model, now: datetime):
    return and_(model.due_at < now, open_clause(model))


def due_between_clause(model, start: datetime, end: datetime):
    """Open items due in ``[start, end)``."""
    return and_(model.due_at >= start, model.due_at < end, open_clause(model))


def today_bounds(tz, now: datetime) -> tuple[datetime, datetime]:
    """Midnight to midnight of ``now``'s day in the company's time zone, as UTC moments."""
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def priority_rank(column):
    """A priority as a number (critical highest) for sorting in SQL; unknown values count as normal."""
    return case(RANKS, value=column, else_=RANKS["normal"])
