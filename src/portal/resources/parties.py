"""``/p/`` and ``/p/<id>/``: the parties, each with an ACL naming who may see it."""
from pyramid.authorization import DENY_ALL, Allow, Authenticated
from sqlalchemy import select

from ..models import Party, Role
from .ids import id_or_key_error
from ..security.permissions import Permission
from ..security.principals import manager_principal, party_principal, role_principal

# Staff roles that see every party; managers see only the parties assigned to them.
ALL_PARTIES_ROLES = (Role.backoffice, Role.service, Role.head, Role.admin)


class PartyContainer:
    """``/p/``: looks parties up by numeric id; anything else is not found."""

    __name__ = "p"

    def __init__(self, parent, dbsession, children=None):
        self.__parent__ = parent
        self.dbsession = dbsession
        self.children = children or {}  # name -> factory(PartyResource) of /p/<id>/<name>/

    def __acl__(self):
        return [(Allow, Authenticated, Permission.PartiesList), DENY_ALL]

    def __getitem__(self, key):
        party = self.dbsession.get(Party, id_or_key_error(key))
        if party is None:
            raise KeyError(key)
        return PartyResource(party, self)


P = Permission
# What a party's own users may do on it.
MEMBER_PERMISSIONS = (
    P.PartyView, P.RequestsView, P.RequestsCreate, P.RequestsConfirm,
    P.ChangesView, P.ChangesCreate, P.TicketsView, P.TicketsCreate, P.TicketsConfirm,
    P.MessagesView, P.MessagesSend,
)
READ_PERMISSIONS = (P.PartyView, P.RequestsView, P.ChangesView, P.TicketsView, P.MessagesView)
# What staff may do on every party; a manager may do the back office's work on its own parties.
STAFF_PERMISSIONS = {
    Role.backoffice: READ_PERMISSIONS + (P.ChangesDecide, P.RequestsHandle, P.MessagesSend),
    Role.service: READ_PERMISSIONS + (P.RequestsHandle, P.TicketsHandle, P.MessagesSend),
    Role.head: READ_PERMISSIONS,
    Role.admin: READ_PERMISSIONS,
}
MANAGER_PERMISSIONS = READ_PERMISSIONS + (P.ChangesDecide, P.RequestsHandle, P.TicketsHandle, P.MessagesSend)


class PartyResource:
    """One party. Members and its managers see it, so do staff; nobody else.

    Named children (``requests``, ``changes``, ...) are registered by the
    features that own them, so this class knows none of them.
    """

    def __init__(self, party: Party, parent):
        self.party = party
        self.__name__ = str(party.id)
        self.__parent__ = parent

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def __acl__(self):
        acl = [
            (Allow, party_principal(self.party.id), MEMBER_PERMISSIONS),
            (Allow, manager_principal(self.party.id), MANAGER_PERMISSIONS),
        ]
        acl.extend((Allow, role_principal(role), perms) for role, perms in STAFF_PERMISSIONS.items())
        acl.append(DENY_ALL)
        return acl

    def __getitem__(self, name):
        factory = self.__parent__.children.get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self)


def find_party(resource):
    """The PartyResource a resource lies in, or None."""
    while resource is not None:
        if isinstance(resource, PartyResource):
            return resource
        resource = getattr(resource, "__parent__", None)
    return None


def visible_parties_query(identity):
    """The parties an identity may list: own memberships, managed parties, or all (staff)."""
    query = select(Party)
    if any(identity.has_role(role) for role in ALL_PARTIES_ROLES):
        return query
    ids = set(identity.party_ids) | set(identity.managed_party_ids)
    return query.where(Party.id.in_(ids))
