"""``/admin/``: administration: users, parties (``/admin/parties/``) and the settings of how
workflow items are routed and timed (``/admin/request-types/``, ``/admin/sla/``, ``/admin/groups/``,
``/admin/messages/``).

The area's ACL covers everything below it: the admin role holds every permission of it, the back
office users and parties (``AdminUsers``, ``AdminParties``), then DENY_ALL. One resource narrows it:
a member of staff's user page is the admins' alone (``UserResource``), so the back office, which
manages customers' users, can neither block an administrator nor change a colleague's password.
"""
from pyramid.authorization import DENY_ALL, Allow

from portal.db.ids import id_or_key_error, parse_id
from portal.identity.models import Role, User
from portal.parties.models import Contract, Party, PartyGroup
from portal.requests.models import RequestType
from portal.security.permissions import Permission
from portal.security.principals import role_principal
from portal.staff.models import StaffGroup

# The back office manages customers' users and the parties; the rest of the area is the admins'.
BACKOFFICE = (Permission.AdminUsers, Permission.AdminParties)
ADMIN_OWN = (Permission.AdminRoles, Permission.AdminWorkflows)
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
        permissions = ADMIN_OWN + BACKOFFICE + tuple(self.registry.get(ADMIN_PERMISSIONS, ()))
        return [(Allow, role_principal(Role.admin), permissions), (Allow, role_principal(Role.backoffice), BACKOFFICE),
                DENY_ALL]

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
    """One user, as administered: a customer's user under the admin area's ACL, a member of staff by
    administrators only."""

    def __init__(self, user: User, parent: UsersContainer):
        self.user = user
        self.__name__ = str(user.id)
        self.__parent__ = parent

    def __acl__(self):
        if not self.user.roles:
            return []  # the area's
        return [(Allow, role_principal(Role.admin), (Permission.AdminUsers, Permission.AdminRoles)), DENY_ALL]


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


class PartiesContainer(_AdminChild):
    """``/admin/parties/``: the list; ``<id>/`` one party; ``new`` is a view name."""

    segment = "parties"

    def __getitem__(self, key):
        return PartyAdminResource(_by_id(self.dbsession, Party, key), self)


class PartyAdminResource:
    """One party as administered: its record, customer groups and members; ``contracts/`` its contracts."""

    def __init__(self, party: Party, parent: PartiesContainer):
        self.party = party
        self.__name__ = str(party.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession

    def __getitem__(self, name):
        if name == ContractsContainer.segment:
            return ContractsContainer(self)
        raise KeyError(name)


class ContractsContainer:
    """``/admin/parties/<id>/contracts/``: ``new`` is a view name; ``<id>/`` one contract of this party
    (another party's contract is not found here)."""

    segment = "contracts"

    def __init__(self, parent: PartyAdminResource):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.party = parent.party
        self.dbsession = parent.dbsession

    def __getitem__(self, key):
        contract = _by_id(self.dbsession, Contract, key)
        if contract.party_id != self.party.id:
            raise KeyError(key)
        return ContractResource(contract, self)


class ContractResource:
    """One contract of a party, as administered."""

    def __init__(self, contract: Contract, parent: ContractsContainer):
        self.contract = contract
        self.party = parent.party
        self.__name__ = str(contract.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession


ADMIN_SECTIONS = (RequestTypesContainer, SlaArea, StaffGroupsContainer, MessageSettingsArea, PartyGroupsContainer,
                  PartiesContainer)
