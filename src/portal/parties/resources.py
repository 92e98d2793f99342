"""``/p/`` and ``/p/<id>/``: the parties, each with an ACL naming who may see it.

What each kind of principal may do on a party comes from the grants the
enabled packages declared (``config.add_party_grants``); the named children
(``requests``, ``changes``…) from ``config.add_party_child``. This module knows none of them.
"""
from dataclasses import dataclass

from pyramid.authorization import DENY_ALL, Allow, Authenticated
from sqlalchemy import bindparam, select

from portal.db.ids import id_or_key_error
from portal.parties.directives import PARTY_CHILDREN, party_grants
from portal.parties.models import Party
from portal.security.permissions import Permission
from portal.security.principals import manager_principal, party_principal, party_role_principal, role_principal
from portal.security.roles import sees_every_party

PARTY_ACL = "portal.party_acl"
# The party a URL names, read by a statement built once: every page below /p/<id>/ reads it, and
# ``Session.get`` built its select anew each time (a fifth of what reading the row cost).
PARTY_BY_ID = select(Party).where(Party.id == bindparam("id"))


class PartyContainer:
    """``/p/``: looks parties up by numeric id; anything else is not found."""

    __name__ = "p"

    def __init__(self, parent, dbsession=None, registry=None):
        self.__parent__ = parent
        # Traversal passes the root only; tests and scripts that build a tree by hand pass the rest.
        self.dbsession = parent.dbsession if dbsession is None and parent is not None else dbsession
        self.registry = parent.request.registry if registry is None else registry

    def __acl__(self):
        return [(Allow, Authenticated, Permission.PartiesList), DENY_ALL]

    def __getitem__(self, key):
        party_id = id_or_key_error(key)  # before any query: a key that is no id asks the database nothing
        party = self.dbsession.execute(PARTY_BY_ID, {"id": party_id}).scalar_one_or_none()
        if party is None:
            raise KeyError(key)
        return PartyResource(party, self)

    def named(self, party_id: int) -> "PartyResource":
        """The resource of a party the identity already names (a member's own), without reading its row:
        for a link to it and the permission check of that link, whose ACL is the party id's alone. Its
        ``party`` holds the id only; traversal (``[]``) is what finds a party from a URL."""
        return PartyResource(PartyKey(party_id), self)


@dataclass(frozen=True)
class PartyKey:
    """A party known by its id alone (``PartyContainer.named``)."""

    id: int


def acl_template(registry) -> tuple:
    """The grants as (kind, principal or role, permissions), built once per application."""
    template = registry.get(PARTY_ACL)
    if template is None:
        grants = party_grants(registry)
        template = (("member", None, tuple(grants.member)), ("manager", None, tuple(grants.manager))) + tuple(
            ("member-role", role, tuple(perms)) for role, perms in sorted(grants.member_roles.items())
        ) + tuple(("role", role, tuple(perms)) for role, perms in sorted(grants.staff.items()))
        registry[PARTY_ACL] = template
    return template


class PartyResource:
    """One party. Members and its managers see it, so do staff; nobody else. A blocked party's members
    hold no principal of it (identity/auth.py), so it is as if they were none."""

    def __init__(self, party: Party, parent: PartyContainer):
        self.party = party
        self.__name__ = str(party.id)
        self.__parent__ = parent

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def __acl__(self):
        acl = []
        for kind, role, permissions in acl_template(self.__parent__.registry):
            if kind == "member":
                principal = party_principal(self.party.id)
            elif kind == "member-role":
                principal = party_role_principal(self.party.id, role)
            elif kind == "manager":
                principal = manager_principal(self.party.id)
            else:
                principal = role_principal(role)
            acl.append((Allow, principal, permissions))
        acl.append(DENY_ALL)
        return acl

    def __getitem__(self, name):
        factory = self.__parent__.registry.get(PARTY_CHILDREN, {}).get(name)
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


def visible_party_ids(identity) -> list[int] | None:
    """The ids of the parties an identity may list (own memberships, managed parties), sorted; None for
    staff who see every party."""
    if sees_every_party(identity):
        return None
    return sorted(set(identity.party_ids) | set(identity.managed_party_ids))


def visible_parties_query(identity):
    """The parties an identity may list: own memberships, managed parties, or all (staff)."""
    query = select(Party)
    ids = visible_party_ids(identity)
    return query if ids is None else query.where(Party.id.in_(ids))
