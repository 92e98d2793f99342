"""``/p/<id>/messages/`` and ``/p/<id>/messages/<n>/``: a party's message threads."""
from portal.messages.models import MessageThread
from portal.workflows.resources import ItemContainer, ItemResource


class ThreadResource(ItemResource):
    """A message thread; everything about it comes from the party's ACL."""


class ThreadsContainer(ItemContainer):
    segment = "messages"
    model = MessageThread
    item_factory = ThreadResource
