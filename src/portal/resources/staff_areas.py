"""``/service/`` (the service queue) and ``/dashboard/`` (counts for staff): staff areas off the root.

Each area's ACL names the roles that may open it and ends in DENY_ALL, so a
customer is refused whatever the area holds. Which rows a member of staff
then sees (a manager: only his parties) is decided by the queries.
"""
from pyramid.authorization import DENY_ALL, Allow

from ..models import Role
from ..security.permissions import Permission
from ..security.principals import role_principal

QUEUE_ROLES = (Role.service, Role.backoffice, Role.manager, Role.head)
DASHBOARD_ROLES = (Role.service, Role.backoffice, Role.manager, Role.head, Role.admin)


class StaffArea:
    """A staff area directly under the root; it has no children."""

    __name__ = ""
    roles: tuple = ()
    permission = None

    def __init__(self, parent):
        self.__parent__ = parent

    def __acl__(self):
        return [(Allow, role_principal(role), self.permission) for role in self.roles] + [DENY_ALL]


class ServiceArea(StaffArea):
    """``/service/``: open requests and tickets by due time and priority; bulk assign."""

    __name__ = "service"
    roles = QUEUE_ROLES
    permission = Permission.QueueView


class DashboardArea(StaffArea):
    """``/dashboard/``: counts by state, overdue and due today."""

    __name__ = "dashboard"
    roles = DASHBOARD_ROLES
    permission = Permission.DashboardView


def includeme(config):
    # Literal names: on the class itself ``__name__`` is the class's name, not the URL segment.
    config.add_root_area("service", ServiceArea)
    config.add_root_area("dashboard", DashboardArea)
