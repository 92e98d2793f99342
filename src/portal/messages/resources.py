"""``/p/<id>/messages/`` and ``/p/<id>/messages/<n>/``: a party's message threads; ``/messages/``: the
threads of every party the user may see."""
from pyramid.authorization import DENY_ALL, Allow, Authenticated

from portal.messages.models import MessageThread
from portal.security.permissions import Permission
from portal.workflows.resources import ItemContainer, ItemResource


class ThreadResource(ItemResource):
    """A message thread; everything about it comes from the party's ACL."""


class ThreadsContainer(ItemContainer):
    segment = "messages"
    model = MessageThread
    item_factory = ThreadResource


class InboxArea:
    """``/messages/``: open to every logged-in user; what it lists is scoped by the parties the
    user may see (inbox.py), so a customer sees its own parties' threads, staff theirs. It holds
    no threads of its own: each links to its party's page."""

    segment = "messages"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    def __acl__(self):
        return [(Allow, Authenticated, Permission.MessagesInbox), DENY_ALL]
