"""``/api/`` → ``v1`` → ``<entity>`` → ``<external_id>``; the ACL grants API keys' principals only."""
import time

from pyramid.authorization import DENY_ALL, Allow

from portal.api.entities import api_entities
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
    """``/api/v1/``: the registered entities. Users, roles and parties are granted nothing here."""

    __name__ = "v1"

    def __init__(self, parent):
        self.__parent__ = parent
        self.request = parent.request

    def __acl__(self):
        return [
            (Allow, api_principal("read"), Permission.ApiRead),
            (Allow, api_principal("write"), (Permission.ApiRead, Permission.ApiWrite)),
            DENY_ALL,
        ]

    def __getitem__(self, name):
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
        return EntityItem(self, external_id)


class EntityItem:
    """``/api/v1/<entity>/<external_id>``; whether the record exists is the view's question."""

    def __init__(self, parent, external_id):
        self.__parent__ = parent
        self.__name__ = external_id
        self.entity = parent.entity
        self.external_id = external_id


class IntegrationArea:
    """``/admin/integration/``: API keys. A section of the admin area, under its ACL
    (``admin:integration`` for the admin role)."""

    segment = "integration"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession
