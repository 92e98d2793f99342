"""``/admin/integration/webhooks/``: the webhooks and their deliveries; it inherits the admin area's
ACL (``admin:integration`` for the admin role)."""


class WebhooksArea:
    """A page of ``/admin/integration/`` (api/resources.py lists it)."""

    segment = "webhooks"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession
