"""Service ticket ("servisní požadavek"): new → assigned → in progress ⇄ on hold → resolved → closed.

Its priority sets the due time through the SLA (services/sla.py).
"""
from portal.api.feed.services import move_fields
from portal.i18n import _
from portal.security.permissions import Permission as P
from portal.tickets.models import ServiceTicket
from portal.workflows.effects import clear_resolved, mark_closed, mark_resolved, set_assignee, valid_assignee
from portal.workflows.engine import CREATE, State, Transition, Workflow
from portal.workflows.priorities import Priority
from portal.workflows.roles import ROLES
from portal.workflows.watchers import handlers, party_managers

HANDLING = (P.TicketsHandle,)

SERVICE_TICKET = Workflow(
    "service_ticket",
    ServiceTicket,
    states=[
        State("new", _("New")),
        State("assigned", _("Assigned"), acl=(("assignee", HANDLING),)),
        State("in_progress", _("In progress"), acl=(("assignee", HANDLING),)),
        State("on_hold", _("On hold"), acl=(("assignee", HANDLING),)),
        State("resolved", _("Resolved")),
        State("closed", _("Closed"), final=True),
    ],
    initial="new",
    transitions=[
        Transition("assign", frozenset({"new", "assigned"}), "assigned", P.TicketsHandle, _("Assign"),
                   guard=valid_assignee, effects=(set_assignee,)),
        Transition("start", frozenset({"assigned"}), "in_progress", P.TicketsHandle, _("Start work"),
                   style="primary"),
        Transition("hold", frozenset({"in_progress"}), "on_hold", P.TicketsHandle, _("Put on hold"),
                   comment_required=True),
        Transition("resume", frozenset({"on_hold"}), "in_progress", P.TicketsHandle, _("Resume")),
        Transition("resolve", frozenset({"in_progress"}), "resolved", P.TicketsHandle, _("Resolve"),
                   comment_required=True, effects=(mark_resolved,), style="primary"),
        Transition("confirm", frozenset({"resolved"}), "closed", P.TicketsConfirm, _("Confirm and close"),
                   effects=(mark_closed,), style="primary"),
        Transition("close", frozenset({"resolved"}), "closed", P.TicketsHandle, _("Close"),
                   effects=(mark_closed,)),
        Transition("reopen", frozenset({"resolved"}), "in_progress", P.TicketsConfirm, _("Reopen"),
                   comment_required=True, effects=(clear_resolved,)),
    ],
    roles=ROLES,
    title=_("Service ticket"),
)


def watchers(event):
    """A ticket opened at critical priority is news for the staff who work tickets (its group, else
    the service role) and the party's managers; any other ticket waits in the queue unannounced."""
    if event.transition != CREATE or event.item.priority != Priority.critical:
        return None
    return handlers(event.item) | party_managers(event.item.party_id)


def feed_payload(event) -> dict:
    """What ``/api/v1/feed/tickets`` tells of a move (schemas.TicketFeedSchema): the ticket after it."""
    item = event.item
    return dict(move_fields(event), ticket_id=item.id, subject=item.subject, body=item.body,
                priority=item.priority, due_at=item.due_at, created_at=item.created_at)
