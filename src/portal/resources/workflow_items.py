"""The workflow items of a party in the tree: requests, change requests, tickets, message threads."""
from ..models import ChangeRequest, CustomerRequest, MessageThread, ServiceTicket
from ..workflows import CHANGE_REQUEST, REQUEST, SERVICE_TICKET
from .items import ItemContainer, WorkflowItem


class RequestItem(WorkflowItem):
    workflow = REQUEST


class ChangeRequestItem(WorkflowItem):
    workflow = CHANGE_REQUEST


class TicketItem(WorkflowItem):
    workflow = SERVICE_TICKET


class ThreadResource:
    """A message thread; everything about it comes from the party's ACL."""

    def __init__(self, thread, parent):
        self.item = thread
        self.__name__ = str(thread.id)
        self.__parent__ = parent

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession


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
