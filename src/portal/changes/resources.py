"""``/p/<id>/changes/`` and ``/p/<id>/changes/<n>/``: a party's change requests of its master data;
``/p/<id>/account-info``: the master data they change."""
from portal.changes.models import ChangeRequest
from portal.changes.workflow import CHANGE_REQUEST
from portal.workflows.resources import ItemContainer, WorkflowItem


class ChangeRequestItem(WorkflowItem):
    workflow = CHANGE_REQUEST


class ChangesContainer(ItemContainer):
    segment = "changes"
    model = ChangeRequest
    item_factory = ChangeRequestItem


class AccountInfo:
    """``/p/<id>/account-info``: the party's master data as it is today; it inherits the party's ACL."""

    segment = "account-info"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession
