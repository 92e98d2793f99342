"""Customer request ("žádost"): new → assigned → in progress ⇄ waiting for customer → resolved → closed."""
from portal.api.feed.services import move_fields
from portal.i18n import _
from portal.requests.models import CustomerRequest
from portal.security.permissions import Permission as P
from portal.workflows.effects import clear_resolved, mark_closed, mark_resolved, set_assignee, valid_assignee
from portal.workflows.engine import CREATE, State, Transition, Workflow
from portal.workflows.roles import ROLES
from portal.workflows.watchers import handlers, party_managers

HANDLING = (P.RequestsHandle,)

REQUEST = Workflow(
    "request",
    CustomerRequest,
    states=[
        State("new", _("New")),
        State("assigned", _("Assigned"), acl=(("assignee", HANDLING),)),
        State("in_progress", _("In progress"), acl=(("assignee", HANDLING),)),
        State("waiting", _("Waiting for customer"), acl=(("assignee", HANDLING),), asks=True),
        State("resolved", _("Resolved")),
        State("closed", _("Closed"), final=True),
    ],
    initial="new",
    transitions=[
        Transition("assign", frozenset({"new", "assigned"}), "assigned", P.RequestsHandle, _("Assign"),
                   guard=valid_assignee, effects=(set_assignee,)),
        Transition("start", frozenset({"assigned"}), "in_progress", P.RequestsHandle, _("Start work"),
                   style="primary"),
        Transition("ask_customer", frozenset({"in_progress"}), "waiting", P.RequestsHandle,
                   _("Ask the customer"), comment_required=True),
        Transition("answer", frozenset({"waiting"}), "in_progress", P.RequestsConfirm, _("Answer"),
                   comment_required=True, style="primary"),
        Transition("resolve", frozenset({"in_progress"}), "resolved", P.RequestsHandle, _("Resolve"),
                   comment_required=True, effects=(mark_resolved,), style="primary"),
        Transition("confirm", frozenset({"resolved"}), "closed", P.RequestsConfirm,
                   _("Confirm and close"), effects=(mark_closed,), style="primary"),
        Transition("reopen", frozenset({"resolved"}), "in_progress", P.RequestsConfirm, _("Reopen"),
                   comment_required=True, effects=(clear_resolved,)),
        # Taken when the accounting system did what was asked (it issued the invoice a top-up request
        # asked for: finance/services/top_up.py); nobody holds this permission.
        Transition("fulfil", frozenset({"new", "assigned", "in_progress", "waiting"}), "resolved",
                   "system:fulfil", _("Done by the accounting system"), effects=(mark_resolved,)),
        # Taken by the nightly job after the auto-close period; nobody holds this permission.
        Transition("auto_close", frozenset({"resolved"}), "closed", "system:auto-close",
                   _("Closed automatically"), effects=(mark_closed,)),
    ],
    roles=ROLES,
    title=_("Request"),
)


def watchers(event):
    """A filed request is news for the staff it is routed to (its type's group) and the party's
    managers; its assignee hears of it anyway (workflows/notices.py)."""
    if event.transition != CREATE:
        return None
    return handlers(event.item) | party_managers(event.item.party_id)


def feed_payload(event) -> dict:
    """What ``/api/v1/feed/requests`` tells of a move (schemas.RequestFeedSchema): the request after it."""
    item = event.item
    return dict(move_fields(event), request_id=item.id, type=item.type.code, subject=item.subject, body=item.body,
                priority=item.priority, due_at=item.due_at, created_at=item.created_at)
