"""The workflow items of a party in the tree: requests, change requests, tickets, message threads."""
from ..models import ChangeRequest, CustomerRequest, MessageThread, ServiceTicket
from ..workflows import CHANGE_REQUEST, REQUEST, SERVICE_TICKET
from .items import ItemContainer, ItemResource, WorkflowItem


class RequestItem(WorkflowItem):
    workflow = REQUEST


class ChangeRequestItem(WorkflowItem):
    workflow = CHANGE_REQUEST


class TicketItem(WorkflowItem):
    workflow = SERVICE_TICKET


class ThreadResource(ItemResource):
    """A message thread; everything about it comes from the party's ACL."""


class RequestsContainer(ItemContainer):
    segment = "requests"
    model = CustomerRequest
    item_factory = RequestItem


class ChangesContainer(ItemContainer):
    segment = "changes"
    model = ChangeRequest
    item_factory = ChangeRequestItem


class TicketsContainer(ItemContainer):
    segment = "tickets"
    model = ServiceTicket
    item_factory = TicketItem


class ThreadsContainer(ItemContainer):
    segment = "messages"
    model = MessageThread
    item_factory = ThreadResource


CONTAINERS = (RequestsContainer, ChangesContainer, TicketsContainer, ThreadsContainer)
# workflow name -> URL segment, to build an item's URL from a notice or a history entry.
CONTAINER_OF = {"request": "requests", "change_request": "changes", "service_ticket": "tickets",
                "message": "messages"}


def register(config):
    for container in CONTAINERS:
        config.add_party_child(container.segment, container)
