"""The root of the traversal tree and the user's own account area."""
from pyramid.authorization import DENY_ALL, Allow, Authenticated, Everyone

from ..security.permissions import Permission
from .admin import AdminArea
from .parties import PartyContainer


class AccountArea:
    """``/account/``: the logged-in user's own profile, password and language."""

    __name__ = "account"

    def __init__(self, parent):
        self.__parent__ = parent

    def __acl__(self):
        return [(Allow, Authenticated, (Permission.AccountView, Permission.AccountEdit)), DENY_ALL]


class Root:
    """``/``: public pages (login, language), ``p`` (parties), ``account``, ``admin``."""

    __name__ = ""
    __parent__ = None

    def __init__(self, request):
        self.request = request

    def __acl__(self):
        return [(Allow, Everyone, Permission.Public)]

    def __getitem__(self, name):
        registry = self.request.registry
        if name == "p":
            return PartyContainer(self, self.request.dbsession, registry.get("party_children"))
        if name == "account":
            return AccountArea(self)
        if name == "admin":
            return AdminArea(self, self.request.dbsession, registry.get("admin_children"))
        factory = registry.get("root_areas", {}).get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self)


def root_factory(request):
    return Root(request)
