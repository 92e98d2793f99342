"""``/p/`` and ``/p/<id>/``: the parties, each with an ACL naming who may see it."""
from pyramid.authorization import DENY_ALL, Allow, Authenticated
from sqlalchemy import select

from ..models import Party, Role
from ..security.permissions import Permission
from ..security.principals import manager_principal, party_principal, role_principal

# Staff roles that see every party; managers see only the parties assigned to them.
ALL_PARTIES_ROLES = (Role.backoffice, Role.service, Role.head, Role.admin)


class PartyContainer:
    """``/p/``: looks parties up by numeric id; anything else is not found."""

    __name__ = "p"

    def __init__(self, parent, dbsession):
        self.__parent__ = parent
        self.dbsession = dbsession

    def __acl__(self):
        return [(Allow, Authenticated, Permission.PartiesList), DENY_ALL]

    def __getitem__(self, key):
        if not key.isascii() or not key.isdigit() or len(key) > 18:
            raise KeyError(key)
        party = self.dbsession.get(Party, int(key))
        if party is None:
            raise KeyError(key)
        return PartyResource(party, self)


class PartyResource:
    """One party. Members and its managers see it, so do staff; nobody else."""

    def __init__(self, party: Party, parent):
        self.party = party
        self.__name__ = str(party.id)
        self.__parent__ = parent

    def __acl__(self):
        acl = [
            (Allow, party_principal(self.party.id), Permission.PartyView),
            (Allow, manager_principal(self.party.id), Permission.PartyView),
        ]
        acl.extend((Allow, role_principal(role), Permission.PartyView) for role in ALL_PARTIES_ROLES)
        acl.append(DENY_ALL)
        return acl


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
