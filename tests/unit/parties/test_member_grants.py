"""``add_party_grants(member=…, member_role=…)``: a package grants a permission to the members of one role
in the party only; the party's ACL gives it to that role's principal, a membership of role "all" holds
every role, and a role nobody declared is refused at start."""
from types import SimpleNamespace

import pytest
from pyramid.authorization import ACLHelper, Authenticated, Everyone
from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError

from portal.parties.directives import party_grants
from portal.parties.models import member_scopes
from portal.parties.resources import PartyContainer, PartyResource
from portal.security.permissions import Permission

PARTY = SimpleNamespace(id=7)


def configured(*grants):
    config = Configurator(settings={})
    config.include("portal.parties.directives")
    for kw in grants:
        config.add_party_grants(**kw)
    config.commit()
    return config.registry


def permits(registry, principals, permission) -> bool:
    party = PartyResource(PARTY, PartyContainer(None, dbsession=None, registry=registry))
    return bool(ACLHelper().permits(party, [Everyone, Authenticated, *principals], permission))


def test_a_role_grant_reaches_that_roles_members_only():
    registry = configured(dict(member=(Permission.PartyView,)),
                          dict(member=(Permission.InvoicesView,), member_role="finance", manager=(Permission.InvoicesView,)))
    assert party_grants(registry).member_roles == {"finance": (Permission.InvoicesView,)}
    assert permits(registry, ["party:7", "party:7:finance"], Permission.InvoicesView)
    assert permits(registry, ["manager-of:7"], Permission.InvoicesView)
    assert not permits(registry, ["party:7", "party:7:operations"], Permission.InvoicesView)
    assert not permits(registry, ["party:8:finance"], Permission.InvoicesView)
    assert permits(registry, ["party:7", "party:7:operations"], Permission.PartyView)


@pytest.mark.parametrize("role", ["all", "billing", ""])
def test_a_role_no_membership_has_is_refused_at_start(role):
    with pytest.raises(ConfigurationError, match="member_role"):
        configured(dict(member=(Permission.InvoicesView,), member_role=role))


def test_one_permission_granted_by_two_packages_is_still_a_conflict():
    with pytest.raises(ConfigurationError):
        configured(dict(member=(Permission.InvoicesView,), member_role="finance"),
                   dict(member=(Permission.InvoicesView,)))


def test_all_acts_in_every_role():
    assert member_scopes("all") == ("finance", "operations")
    assert member_scopes("operations") == ("operations",)
