"""The service queue: open customer requests and service tickets in one list, by due time then priority.

Both kinds are read with one ``UNION ALL`` so paging, sorting and counting
happen in the database. Which parties' items a member of staff sees is part
of the SQL too: every party for the roles that see every party, only the
assigned parties (a subquery on ``manager_assignments``) for a manager.
"""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import String, false, literal_column, select, union_all

from portal.identity.models import User
from portal.parties.models import ManagerAssignment, Party
from portal.staff.models import StaffGroup
from portal.workflows.due import due_between_clause, open_clause, overdue_clause, priority_rank

SCOPES = ("mine", "group", "all")
DUE_FILTERS = ("overdue", "today")
# Sort key -> the column of the queue's rows it sorts by.
SORT_COLUMNS = {"due": "due_at", "priority": "rank", "created": "created_at", "subject": "subject",
                "party": "party_name"}
DEFAULT_SORT = "due"


@dataclass(frozen=True)
class StaffScope:
    """Whose queue it is: the user, his staff groups, and whether he sees every party (else: his own)."""

    user_id: int
    group_ids: frozenset
    all_parties: bool

    def parties(self, model):
        """The SQL condition on ``model.party_id``, or None when every party is visible."""
        if self.all_parties:
            return None
        managed = select(ManagerAssignment.party_id).where(ManagerAssignment.user_id == self.user_id)
        return model.party_id.in_(managed.scalar_subquery())


@dataclass(frozen=True)
class QueueFilter:
    """The queue's filters, each an allowed value or empty (the list view reads them from the query string)."""

    scope: str = "all"
    kind: str = ""
    state: str = ""
    priority: str = ""
    due: str = ""

    @property
    def query(self) -> dict:
        """The query string that gives these filters again."""
        return {name: value for name, value in vars(self).items() if value}

    @property
    def narrowed(self) -> bool:
        """True when anything but the scope narrows the list (for the empty-state message)."""
        return bool(self.kind or self.state or self.priority or self.due)


def _kind_select(kind, scope: StaffScope, filters: QueueFilter, now: datetime, today: tuple):
    """The rows of one kind that the filters let through, in the columns both kinds share."""
    model = kind.model
    stmt = select(
        literal_column(f"'{kind.key}'", String).label("kind"),
        model.id.label("id"),
        model.party_id.label("party_id"),
        model.subject.label("subject"),
        model.state.label("state"),
        model.priority.label("priority"),
        priority_rank(model.priority).label("rank"),
        model.due_at.label("due_at"),
        model.created_at.label("created_at"),
        model.assignee_id.label("assignee_id"),
        model.group_id.label("group_id"),
    )
    parties = scope.parties(model)
    if parties is not None:
        stmt = stmt.where(parties)
    if filters.scope == "mine":
        stmt = stmt.where(model.assignee_id == scope.user_id)
    elif filters.scope == "group":
        stmt = stmt.where(model.group_id.in_(sorted(scope.group_ids)) if scope.group_ids else false())
    if filters.state:
        stmt = stmt.where(model.state == filters.state)
    else:
        stmt = stmt.where(open_clause(model))
    if filters.priority:
        stmt = stmt.where(model.priority == filters.priority)
    if filters.due == "overdue":
        stmt = stmt.where(overdue_clause(model, now))
    elif filters.due == "today":
        stmt = stmt.where(due_between_clause(model, *today))
    return stmt


def queue_statement(kinds: dict, scope: StaffScope, filters: QueueFilter, *, now: datetime, today: tuple):
    """The queue's kinds (``kinds``: key -> WorkKind) as one statement of rows
    (``kind``, ``id``, ``party_name``, ...), unsorted: ``queue_order`` sorts it.

    A state filter names one workflow's state (``waiting`` is a request's,
    ``on_hold`` a ticket's): a kind without that state contributes nothing.
    """
    kinds = [kinds[filters.kind]] if filters.kind else list(kinds.values())
    matching = [k for k in kinds if not filters.state or filters.state in k.workflow.states]
    selects = [_kind_select(k, scope, filters, now, today) for k in matching]
    if not selects:  # e.g. a ticket in the request-only state "waiting": nothing, but the same columns
        selects = [_kind_select(kinds[0], scope, filters, now, today).where(false())]
    rows = (union_all(*selects) if len(selects) > 1 else selects[0]).subquery("queue")
    assignee = User.__table__.alias("assignee")
    return (
        select(
            rows,
            Party.name.label("party_name"),
            assignee.c.last_name.label("assignee_last_name"),
            assignee.c.first_name.label("assignee_first_name"),
            assignee.c.login.label("assignee_login"),
            StaffGroup.name.label("group_name"),
        )
        .join(Party, Party.id == rows.c.party_id)
        .outerjoin(assignee, assignee.c.id == rows.c.assignee_id)
        .outerjoin(StaffGroup, StaffGroup.id == rows.c.group_id)
    )


def queue_order(statement, column: str, descending: bool):
    """The queue's rows sorted by ``column`` (one of ``SORT_COLUMNS``'), empty values last, then by due
    time, then priority, then kind and number: a total order, so paging never repeats a row."""
    rows = statement.selected_columns
    primary = rows[column].desc() if descending else rows[column].asc()
    return statement.order_by(primary.nulls_last(), rows.due_at.asc().nulls_last(), rows.rank.desc(), rows.kind,
                              rows.id)
