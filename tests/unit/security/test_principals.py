"""Principals come from one helper and only from active memberships."""
from types import SimpleNamespace

from pyramid.authorization import Authenticated, Everyone

from portal.security.principals import Identity, principals_for


def identity(**kw):
    values = dict(user=SimpleNamespace(id=7), auth_session_id="x", roles=frozenset(),
                  party_ids=frozenset(), managed_party_ids=frozenset())
    values.update(kw)
    return Identity(**values)


def test_anonymous_is_only_everyone():
    assert principals_for(None) == [Everyone]


def test_customer_principals():
    got = principals_for(identity(party_ids=frozenset({3, 1})))
    assert got == [Everyone, Authenticated, "user:7", "party:1", "party:3"]


def test_staff_principals():
    got = principals_for(identity(roles=frozenset({"manager", "head"}), managed_party_ids=frozenset({9})))
    assert got == [Everyone, Authenticated, "user:7", "role:head", "role:manager", "manager-of:9"]
    assert identity(roles=frozenset({"head"})).is_staff
    assert not identity().is_staff
