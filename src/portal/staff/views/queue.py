"""``/service/``: the service queue of open requests and tickets, its export, and bulk assignment."""
import re

from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.db.ids import MAX_ID
from portal.db.meta import utcnow
from portal.i18n import _, translate
from portal.security.permissions import Permission
from portal.security.roles import sees_every_party
from portal.staff.queue import (
    DEFAULT_SORT,
    DUE_FILTERS,
    SCOPES,
    SORT_COLUMNS,
    QueueFilter,
    StaffScope,
    queue_order,
    queue_statement,
)
from portal.staff.resources import ServiceArea
from portal.views.listing import ListSpec, ListView
from portal.views.pagination import MAX_PAGE_SIZE
from portal.views.workflow import staff_choices
from portal.views.xlsx import Column
from portal.workflows.due import is_overdue, today_bounds
from portal.workflows.engine import WorkflowError
from portal.workflows.kinds import item_path, queue_kinds
from portal.workflows.priorities import PRIORITIES, priority_label
from portal.workflows.services import IWorkflowService

TEMPLATE = "portal:staff/templates/queue.pt"
ITEM_KEY = re.compile(r"([a-z_]{1,32})-([0-9]{1,18})")  # "<kind key>-<item id>", as the queue's check boxes name items
MAX_BULK = MAX_PAGE_SIZE
SCOPE_TITLES = {"mine": _("Mine"), "group": _("My groups"), "all": _("All")}
DUE_TITLES = {"overdue": _("Overdue"), "today": _("Due today")}


def staff_scope(request) -> StaffScope:
    """The logged-in member of staff: every party for the roles that see every party, else his own."""
    identity = request.identity
    return StaffScope(
        user_id=identity.user.id,
        group_ids=identity.group_ids,
        all_parties=sees_every_party(identity),
    )


def assignee_name(row) -> str | None:
    if row.assignee_login is None:
        return None
    return " ".join(p for p in (row.assignee_last_name, row.assignee_first_name) if p) or row.assignee_login


class QueueRow:
    """One row of the queue as the page shows it."""

    def __init__(self, request, kinds, row, now):
        kind = kinds[row.kind]
        self.key = f"{row.kind}-{row.id}"
        self.kind_title = kind.title
        self.number = row.id
        self.subject = row.subject
        self.party_name = row.party_name
        self.state = row.state
        self.state_title = kind.workflow.state(row.state).title
        self.priority = row.priority
        self.priority_title = priority_label(row.priority)
        self.due_at = row.due_at
        self.overdue = is_overdue(row.due_at, row.state, now)
        self.handler = assignee_name(row) or row.group_name
        self.url = request.application_url + item_path(request.registry, kind.name, row.party_id, row.id)


def export_columns(request):
    kinds = queue_kinds(request.registry)
    return (
        Column(_("Kind"), lambda r: kinds[r.kind].title, width=16),
        Column("#", "id", kind="number", width=8),
        Column(_("Party"), "party_name", width=30),
        Column(_("Subject"), "subject", width=40),
        Column(_("State"), lambda r: kinds[r.kind].workflow.state(r.state).title, width=16),
        Column(_("Priority"), lambda r: priority_label(r.priority), width=12),
        Column(_("Due"), "due_at", kind="datetime"),
        Column(_("Filed"), "created_at", kind="datetime"),
        Column(_("Handled by"), lambda r: assignee_name(r) or r.group_name, width=24),
    )


def queue_states(request) -> set:
    return {s for kind in queue_kinds(request.registry).values() for s in kind.workflow.states}


@view_config(context=ServiceArea, name="", attr="page", permission=Permission.QueueView,
             request_method=("GET", "HEAD"), renderer=TEMPLATE)
@view_config(context=ServiceArea, name="export.xlsx", attr="export", permission=Permission.QueueView,
             request_method=("GET", "HEAD"))
class ServiceQueue(ListView):
    """Open requests and tickets of the parties this member of staff sees, in one list: the page (with
    its bulk-assign form) and its export.

    The rows come from a UNION over the work kinds, so they are rows of
    columns, not entities; the filters are applied inside each part of it
    (``staff.queue``), and its order is due time, then priority.
    """

    spec = ListSpec(
        columns=export_columns,
        sorts=SORT_COLUMNS, default_sort=DEFAULT_SORT, tiebreak=("kind", "id"),
        # Applied by statement(), inside the union: a state filter also lifts the "open only" rule.
        filters={
            "scope": (None, SCOPES),
            "kind": (None, lambda request: queue_kinds(request.registry)),
            "state": (None, queue_states),
            "priority": (None, PRIORITIES),
            "due": (None, DUE_FILTERS),
        },
        title=_("Queue"), ascii_name="queue", scalars=False,
    )

    def __init__(self, context, request, *, error=None):
        super().__init__(context, request)
        self.error = error
        self.now = utcnow()
        self.kinds = queue_kinds(request.registry)
        self.queue_filter = QueueFilter(**dict({"scope": "all"}, **self.filters))

    def statement(self):
        today = today_bounds(self.request.registry["portal_tz"], self.now)
        return queue_statement(self.kinds, staff_scope(self.request), self.queue_filter, now=self.now, today=today)

    def order(self, statement):
        return queue_order(statement, self.sorts[self.sort.key], self.sort.descending)

    def extra(self, page):
        request, context = self.request, self.context
        states = {}
        for kind in self.kinds.values():
            for state in kind.workflow.states.values():
                states.setdefault(state.name, state.title)
        return {
            "queue_filter": self.queue_filter,
            "rows": [QueueRow(request, self.kinds, row, self.now) for row in page.items],
            "kinds": self.kinds,
            "states": states,
            "priorities": [(p, priority_label(p)) for p in PRIORITIES],
            "scopes": SCOPE_TITLES,
            "due_filters": [(d, DUE_TITLES[d]) for d in DUE_FILTERS],
            # Offered: who may see every party listed (the guard still checks each item's own).
            "assignees": staff_choices(request.dbsession, {row.party_id for row in page.items}),
            "scope_url": lambda scope: request.resource_url(
                context, query=dict(self.queue_filter.query, scope=scope, sort=self.sort.value)),
            "assign_url": request.resource_url(context, "assign", query=request.GET),
            "error": self.error,
        }


def _item_label(request, kind, number) -> str:
    return "%s #%s" % (translate(request, kind.title), number)


def assign_one(request, service, key: str, assignee_id: int) -> tuple[bool, str]:
    """Assign one item found through the tree, with that item's own permissions; (done, label).

    The engine checks state, permission and guard before it changes anything,
    so a refused item is left exactly as it was.
    """
    match = ITEM_KEY.fullmatch(key)
    if match is None:
        return False, key[:40]
    kind = queue_kinds(request.registry).get(match.group(1))
    if kind is None:
        return False, key[:40]
    label = _item_label(request, kind, match.group(2))
    number = int(match.group(2))
    item = request.dbsession.get(kind.model, number) if number <= MAX_ID else None
    if item is None:
        return False, label
    try:
        resource = request.root["p"][str(item.party_id)][kind.segment][str(item.id)]
    except KeyError:
        return False, label
    if not request.has_permission(kind.view_permission, resource):
        return False, label
    try:
        service.apply(resource, "assign", assignee_id=assignee_id)
    except WorkflowError:
        return False, label
    return True, label


@view_config(context=ServiceArea, name="assign", request_method="POST", permission=Permission.QueueView,
             renderer=TEMPLATE)
def bulk_assign(context, request):
    """Apply ``assign`` to every selected item; those refused are named, the others assigned."""
    keys = list(dict.fromkeys(request.POST.getall("item")))
    staff = {str(u.id): u for u in staff_choices(request.dbsession)}
    assignee = staff.get(request.POST.get("assignee_id", ""))
    error = None
    if not keys:
        error = _("Select at least one item to assign.")
    elif len(keys) > MAX_BULK:
        error = _("Select at most ${max} items at once.", mapping={"max": MAX_BULK})
    elif assignee is None:
        error = _("Choose whom to assign it to.")
    if error is not None:
        # Back to the queue as it was filtered, the chosen assignee still chosen: a reload shows it again.
        request.session.flash(translate(request, error), "error")
        query = dict(request.GET)
        if assignee is not None:
            query["assignee_id"] = str(assignee.id)
        return HTTPSeeOther(request.resource_url(context, query=query))
    service = request.find_service(IWorkflowService)
    assigned, refused = [], []
    for key in keys:
        done, label = assign_one(request, service, key, assignee.id)
        (assigned if done else refused).append(label)
    name = " ".join(p for p in (assignee.last_name, assignee.first_name) if p) or assignee.login
    if assigned:
        request.session.flash(translate(request, _("Assigned to ${name}: ${items}.",
                                                   mapping={"name": name, "items": ", ".join(assigned)})), "success")
    if refused:
        request.session.flash(translate(request, _(
            "Not assigned (not possible in its current state, or not allowed for you): ${items}.",
            mapping={"items": ", ".join(refused)})), "error")
    return HTTPSeeOther(request.resource_url(context, query=request.GET))
