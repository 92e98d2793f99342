"""Opening service tickets: the priority the customer chose sets the due time through the SLA."""
from portal.db.meta import utcnow
from portal.tickets.models import ServiceTicket
from portal.tickets.sla import BusinessCalendar, due_at
from portal.tickets.workflow import SERVICE_TICKET


def file_ticket(workflow_service, session, *, party_id, author_id, subject, body, priority,
                calendar: BusinessCalendar, now=None) -> ServiceTicket:
    """A new ticket in its initial state, due when the SLA of ``priority`` says, counted from now.

    The due time is fixed at creation: a later change of the SLA does not move
    the deadlines customers were already shown.
    """
    now = now or utcnow()
    item = ServiceTicket(
        party_id=party_id, author_id=author_id, subject=subject, body=body, priority=priority,
        due_at=due_at(session, priority, now, calendar), created_at=now,
    )
    return workflow_service.create(SERVICE_TICKET, item)
