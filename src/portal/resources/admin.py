"""``/admin/``: administration, open to the admin role only."""
from pyramid.authorization import DENY_ALL, Allow

from ..models import Role, User
from .ids import id_or_key_error
from ..security.permissions import Permission
from ..security.principals import role_principal


class AdminArea:
    """``/admin/``; ``users`` leads to each user by id."""

    __name__ = "admin"

    def __init__(self, parent, dbsession, children=None):
        self.__parent__ = parent
        self.dbsession = dbsession
        self.children = children or {}  # name -> factory(AdminArea) of /admin/<name>/

    def __acl__(self):
        return [
            (Allow, role_principal(Role.admin),
             (Permission.AdminUsers, Permission.AdminAudit, Permission.AdminWorkflows,
              Permission.AdminOutbox)),
            DENY_ALL,
        ]

    def __getitem__(self, name):
        if name == "users":
            return UsersContainer(self)
        factory = self.children.get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self)


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
