"""``/admin/``: administration, open to the admin role only: users, and the settings of how
workflow items are routed and timed (``/admin/request-types/``, ``/admin/sla/``, ``/admin/groups/``,
``/admin/messages/``).

Nothing below the admin area has an ACL of its own: the area's (admin role, then
DENY_ALL) covers everything below it.
"""
from pyramid.authorization import DENY_ALL, Allow

from portal.db.ids import id_or_key_error, parse_id
from portal.identity.models import Role, User
from portal.parties.models import PartyGroup
from portal.requests.models import RequestType
from portal.security.permissions import Permission
from portal.security.principals import role_principal
from portal.staff.models import StaffGroup

ADMIN_CHILDREN = "portal.admin_children"
ADMIN_PERMISSIONS = "portal.admin_permissions"


class AdminArea:
    """``/admin/``; ``users`` leads to each user by id, the other sections are registered children."""

    __name__ = "admin"

    def __init__(self, parent):
        self.__parent__ = parent
        self.dbsession = parent.dbsession
        self.registry = parent.request.registry

    def __acl__(self):
        permissions = (Permission.AdminUsers, Permission.AdminWorkflows) + tuple(
            self.registry.get(ADMIN_PERMISSIONS, ()))
        return [(Allow, role_principal(Role.admin), permissions), DENY_ALL]

    def __getitem__(self, name):
        if name == "users":
            return UsersContainer(self)
        factory = self.registry.get(ADMIN_CHILDREN, {}).get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self)


def add_admin_child(config, name, factory):
    """``/admin/<name>/`` is ``factory(admin_area)``; a name claimed twice is a configuration conflict."""

    def register():
        config.registry.setdefault(ADMIN_CHILDREN, {})[name] = factory

    config.action(("portal.admin_child", name), register)


def add_admin_permission(config, permission):
    """Let the admin role hold ``permission`` in the admin area (a package's own admin pages)."""

    def register():
        config.registry[ADMIN_PERMISSIONS] = config.registry.get(ADMIN_PERMISSIONS, ()) + (permission,)

    config.action(("portal.admin_permission", str(permission)), register)


class UsersContainer:
    """``/admin/users/``: the user list; ``/admin/users/<id>/`` one user."""

    __name__ = "users"

    def __init__(self, parent: AdminArea):
        self.__parent__ = parent
        self.dbsession = parent.dbsession

    def __getitem__(self, key):
        user = self.dbsession.get(User, id_or_key_error(key))
        if user is None:
            raise KeyError(key)
        return UserResource(user, self)


class UserResource:
    """One user, as administered; inherits the admin area's ACL."""

    def __init__(self, user: User, parent: UsersContainer):
        self.user = user
        self.__name__ = str(user.id)
        self.__parent__ = parent


def _by_id(dbsession, model, key):
    """The row whose id is the URL segment ``key``; KeyError (404) for anything else."""
    row_id = parse_id(key)
    row = None if row_id is None else dbsession.get(model, row_id)
    if row is None:
        raise KeyError(key)
    return row


class _AdminChild:
    """A section of the admin area; ``segment`` is its URL segment."""

    segment = ""

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession


class RequestTypesContainer(_AdminChild):
    """``/admin/request-types/``: the list; ``<id>/`` one type; ``new`` is a view name."""

    segment = "request-types"

    def __getitem__(self, key):
        return RequestTypeResource(_by_id(self.dbsession, RequestType, key), self)


class RequestTypeResource:
    """One request type, as administered."""

    def __init__(self, request_type: RequestType, parent: RequestTypesContainer):
        self.request_type = request_type
        self.__name__ = str(request_type.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession


class SlaArea(_AdminChild):
    """``/admin/sla/``: hours to resolve a ticket, per priority."""

    segment = "sla"


class StaffGroupsContainer(_AdminChild):
    """``/admin/groups/``: the list; ``<id>/`` one group; ``new`` is a view name."""

    segment = "groups"

    def __getitem__(self, key):
        return StaffGroupResource(_by_id(self.dbsession, StaffGroup, key), self)


class StaffGroupResource:
    """One staff group with its members."""

    def __init__(self, group: StaffGroup, parent: StaffGroupsContainer):
        self.group = group
        self.__name__ = str(group.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession


class MessageSettingsArea(_AdminChild):
    """``/admin/messages/``: the staff group that answers customers' messages."""

    segment = "messages"



class PartyGroupsContainer(_AdminChild):
    """``/admin/party-groups/``: the customer groups; ``<id>/`` one group; ``new`` is a view name."""

    segment = "party-groups"

    def __getitem__(self, key):
        return PartyGroupResource(_by_id(self.dbsession, PartyGroup, key), self)


class PartyGroupResource:
    """One customer group with its parties."""

    def __init__(self, group: PartyGroup, parent: PartyGroupsContainer):
        self.group = group
        self.__name__ = str(group.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession


ADMIN_SECTIONS = (RequestTypesContainer, SlaArea, StaffGroupsContainer, MessageSettingsArea, PartyGroupsContainer)
