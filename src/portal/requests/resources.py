"""``/p/<id>/requests/`` and ``/p/<id>/requests/<n>/``: a party's customer requests."""
from pyramid.traversal import find_root
from sqlalchemy import select

from portal.requests.dedicated import hidden_types
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.workflow import REQUEST
from portal.workflows.resources import ItemContainer, WorkflowItem


class RequestItem(WorkflowItem):
    workflow = REQUEST


class RequestsContainer(ItemContainer):
    segment = "requests"
    model = CustomerRequest
    item_factory = RequestItem

    def query(self):
        """The party's requests, but those of a dedicated type the viewer may not see here (a top-up
        request, for a member who does not see the party's invoices): not listed, counted, exported
        nor found."""
        statement = super().query()
        request = getattr(find_root(self), "request", None)
        if request is None:  # a tree built by hand, with no viewer
            return statement
        hidden = hidden_types(request.registry, lambda permission: request.has_permission(permission, self))
        if hidden:
            statement = statement.where(CustomerRequest.type_id.not_in(
                select(RequestType.id).where(RequestType.code.in_(hidden))))
        return statement
