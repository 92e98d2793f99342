"""``/p/<id>/changes/`` and ``/p/<id>/changes/<n>/``: a party's change requests of its master data."""
from portal.changes.models import ChangeRequest
from portal.changes.workflow import CHANGE_REQUEST
from portal.workflows.resources import ItemContainer, WorkflowItem


class ChangeRequestItem(WorkflowItem):
    workflow = CHANGE_REQUEST


class ChangesContainer(ItemContainer):
    segment = "changes"
    model = ChangeRequest
    item_factory = ChangeRequestItem
