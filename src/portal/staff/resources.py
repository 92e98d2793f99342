"""Staff areas off the root: ``/service/`` (the service queue), ``/backoffice/`` (change requests
to decide) and ``/dashboard/`` (counts for staff).

Each area's ACL names the roles that may open it and ends in DENY_ALL, so a
customer is refused whatever the area holds. Which rows a member of staff
then sees (a manager: only his parties) is decided by the queries. The back
office lets the head in to read: deciding is granted on each party, and the
head holds no ``changes:decide`` there.
"""
from pyramid.authorization import DENY_ALL, Allow

from portal.identity.models import Role
from portal.security.permissions import Permission
from portal.security.principals import role_principal

BACKOFFICE_CHILDREN = "portal.backoffice_children"
QUEUE_ROLES = (Role.service, Role.backoffice, Role.manager, Role.head)
BACKOFFICE_ROLES = (Role.backoffice, Role.manager, Role.head)
DASHBOARD_ROLES = (Role.service, Role.backoffice, Role.manager, Role.head, Role.admin)


class StaffArea:
    """A staff area directly under the root; ``segment`` is its URL segment (on the class itself
    ``__name__`` is the class's name, so the segment is set on each instance)."""

    segment = ""
    roles: tuple = ()
    permission = None

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment

    def __acl__(self):
        return [(Allow, role_principal(role), self.permission) for role in self.roles] + [DENY_ALL]


class ServiceArea(StaffArea):
    """``/service/``: open requests and tickets by due time and priority; bulk assign."""

    segment = "service"
    roles = QUEUE_ROLES
    permission = Permission.QueueView


class BackofficeArea(StaffArea):
    """``/backoffice/``: submitted change requests across the parties the user may decide; other
    packages add sections (``config.add_backoffice_child``), each with an ACL of its own."""

    segment = "backoffice"
    roles = BACKOFFICE_ROLES
    permission = Permission.QueueView

    def __getitem__(self, name):
        factory = self.__parent__.request.registry.get(BACKOFFICE_CHILDREN, {}).get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self)


def add_backoffice_child(config, name, factory):
    """``/backoffice/<name>/`` is ``factory(backoffice_area)``; a name claimed twice is a configuration conflict."""

    def register():
        config.registry.setdefault(BACKOFFICE_CHILDREN, {})[name] = factory

    config.action(("portal.backoffice_child", name), register)


class DashboardArea(StaffArea):
    """``/dashboard/``: counts by state, overdue and due today."""

    segment = "dashboard"
    roles = DASHBOARD_ROLES
    permission = Permission.DashboardView


AREAS = (ServiceArea, BackofficeArea, DashboardArea)
