"""``/api/`` → ``v1`` → ``<entity>`` → ``<external_id>``; the ACL grants API keys' principals only."""
import time

from pyramid.authorization import DENY_ALL, Allow, Everyone

from portal.api.entities import api_entities
from portal.api.feed.resources import FeedArea
from portal.api.webhooks.resources import WebhooksArea
from portal.security.permissions import Permission
from portal.security.principals import api_principal

STARTED = "portal.api.started"


class ApiRoot:
    """``/api/``: nothing but its versions."""

    __name__ = "api"

    def __init__(self, parent):
        self.__parent__ = parent
        self.request = parent.request
        self.request.environ.setdefault(STARTED, time.monotonic())

    def __getitem__(self, name):
        if name != "v1":
            raise KeyError(name)
        return ApiV1(self)


class ApiV1:
    """``/api/v1/``: the registered entities. Users, roles and parties are granted nothing here but the
    public reference (``docs``)."""

    __name__ = "v1"

    def __init__(self, parent):
        self.__parent__ = parent
        self.request = parent.request

    def __acl__(self):
        return [
            (Allow, Everyone, Permission.Public),  # the reference for people (docs.py), as the login page
            (Allow, api_principal("read"), Permission.ApiRead),
            (Allow, api_principal("write"), (Permission.ApiRead, Permission.ApiWrite)),
            DENY_ALL,
        ]

    def __getitem__(self, name):
        if name == FeedArea.segment:
            return FeedArea(self)
        entity = api_entities(self.request.registry).get(name)
        if entity is None:
            raise KeyError(name)
        return EntityContainer(self, entity)


class EntityContainer:
    """``/api/v1/<entity>``: upserts; its items are named by external id."""

    def __init__(self, parent, entity):
        self.__parent__ = parent
        self.__name__ = entity.name
        self.entity = entity
        self.request = parent.request

    def __getitem__(self, external_id):
        if "\x00" in external_id:  # no record has one (PostgreSQL stores no NUL): not found, not an error
            raise KeyError(external_id)
        return EntityItem(self, external_id)


class EntityItem:
    """``/api/v1/<entity>/<external_id>``; whether the record exists is the view's question."""

    def __init__(self, parent, external_id):
        self.__parent__ = parent
        self.__name__ = external_id
        self.entity = parent.entity
        self.external_id = external_id

    def __getitem__(self, name):
        """An external id may hold slashes (1C's ``ORG/INV/2026-17``): the rest of the path is its rest."""
        return EntityItem(self.__parent__, f"{self.external_id}/{name}")


class IntegrationArea:
    """``/admin/integration/``: the integration's health and the API keys, with the call log and the
    inconsistencies below it. A section of the admin area, under its ACL (``admin:integration`` for
    the admin role)."""

    segment = "integration"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession

    def __getitem__(self, name):
        page = INTEGRATION_PAGES.get(name)
        if page is None:
            raise KeyError(name)
        return page(self)


class IntegrationPage:
    """A page of ``/admin/integration/`` with lists of its own (so each has its export)."""

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession


class CallLog(IntegrationPage):
    """``/admin/integration/calls/``: every API call, refused ones too."""

    segment = "calls"


class Inconsistencies(IntegrationPage):
    """``/admin/integration/inconsistencies/``: records that reference what never arrived."""

    segment = "inconsistencies"


INTEGRATION_PAGES = {page.segment: page for page in (CallLog, Inconsistencies, WebhooksArea)}
