"""Workflow items under a party: ``/p/<id>/<kind>/`` and ``/p/<id>/<kind>/<item id>/``."""
from sqlalchemy import select

from portal.db.ids import id_or_key_error


class ItemContainer:
    """The items of one kind of one party; another party's item id is simply not found.

    Subclasses name the URL segment, the model and the item resource class.
    """

    segment = ""  # the URL segment (a class's own __name__ cannot carry it)
    model = None
    item_factory = None

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def query(self):
        """Every query for this list starts here: scoped to the party of the URL."""
        return select(self.model).where(self.model.party_id == self.party.id)

    def __getitem__(self, key):
        item = self.dbsession.scalars(self.query().where(self.model.id == id_or_key_error(key))).first()
        if item is None:
            raise KeyError(key)
        return type(self).item_factory(item, self)


class ItemResource:
    """One item of a party's container; it inherits the party's ACL."""

    def __init__(self, item, parent):
        self.item = item
        self.__name__ = str(item.id)
        self.__parent__ = parent

    @property
    def party(self):
        return self.__parent__.party

    @property
    def party_resource(self):
        """The PartyResource this item lies under (for URLs such as its attachments)."""
        return self.__parent__.__parent__

    @property
    def dbsession(self):
        return self.__parent__.dbsession


class WorkflowItem(ItemResource):
    """A workflow item in the tree; its ACL adds what the item's current state grants."""

    workflow = None  # set by subclasses

    def __acl__(self):
        return self.workflow.acl(self.item)

