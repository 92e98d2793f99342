"""``/p/<id>/requests/`` and ``/p/<id>/requests/<n>/``: a party's customer requests."""
from portal.requests.models import CustomerRequest
from portal.requests.workflow import REQUEST
from portal.workflows.resources import ItemContainer, WorkflowItem


class RequestItem(WorkflowItem):
    workflow = REQUEST


class RequestsContainer(ItemContainer):
    segment = "requests"
    model = CustomerRequest
    item_factory = RequestItem
