"""``/p/<id>/tickets/`` and ``/p/<id>/tickets/<n>/``: a party's service tickets; ``/admin/sla/``."""
from portal.tickets.models import ServiceTicket
from portal.tickets.workflow import SERVICE_TICKET
from portal.workflows.resources import ItemContainer, WorkflowItem


class TicketItem(WorkflowItem):
    workflow = SERVICE_TICKET


class TicketsContainer(ItemContainer):
    segment = "tickets"
    model = ServiceTicket
    item_factory = TicketItem
