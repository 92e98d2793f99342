"""``/api/v1/feed/`` → ``<kind>`` (→ ``ack``): the kinds packages declared; any other name is 404.
Both inherit ``/api/v1/``'s ACL (API keys only)."""
from portal.api.feed.registry import feed_kinds


class FeedArea:
    """``/api/v1/feed/``: one child per declared kind (a switched-off vertical's kinds are not declared)."""

    segment = "feed"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.request = parent.request

    def __getitem__(self, name):
        kind = feed_kinds(self.request.registry).get(name)
        if kind is None:
            raise KeyError(name)
        return FeedKindResource(self, kind)


class FeedKindResource:
    """``/api/v1/feed/<kind>``: reading the kind's events; ``ack`` is a view of it."""

    def __init__(self, parent, kind):
        self.__parent__ = parent
        self.__name__ = kind.name
        self.kind = kind
