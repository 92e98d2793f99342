"""ACLs of the tree, checked principal by principal without HTTP."""
from types import SimpleNamespace

import pytest
from pyramid.authorization import ACLHelper, Authenticated, Everyone

from portal.admin.resources import AdminArea, UserResource, UsersContainer
from portal.identity.resources import AccountArea
from portal.parties.resources import PartyResource
from portal.root import Root
from portal.security.permissions import Permission
from tests import factories

helper = ACLHelper()
PARTY = SimpleNamespace(id=42)


def allowed(context, principals, permission):
    return bool(helper.permits(context, [Everyone, *principals], permission))


@pytest.fixture
def tree():
    root = Root(SimpleNamespace(dbsession=None, registry=factories.app_registry()))
    parties = factories.party_container(None, root)
    party = PartyResource(PARTY, parties)
    admin = AdminArea(root)
    users = UsersContainer(admin)
    user = UserResource(SimpleNamespace(id=5, roles=[]), users)
    colleague = UserResource(SimpleNamespace(id=6, roles=[SimpleNamespace(role="service")]), users)
    return SimpleNamespace(root=root, parties=parties, party=party, admin=admin, user=user, colleague=colleague,
                           account=AccountArea(root))


@pytest.mark.parametrize("principals,expected", [
    ([Authenticated, "party:42"], True),
    ([Authenticated, "manager-of:42"], True),
    ([Authenticated, "role:backoffice"], True),
    ([Authenticated, "role:service"], True),
    ([Authenticated, "role:head"], True),
    ([Authenticated, "role:admin"], True),
    ([Authenticated, "party:41"], False),
    ([Authenticated, "manager-of:43"], False),
    ([Authenticated, "role:manager"], False),  # a manager sees only assigned parties
    ([Authenticated, "user:42"], False),
    ([], False),
])
def test_party_view(tree, principals, expected):
    assert allowed(tree.party, principals, Permission.PartyView) is expected


def test_party_acl_does_not_inherit_public_rights(tree):
    assert not allowed(tree.party, [], Permission.Public)
    assert not allowed(tree.party, [Authenticated, "party:42"], Permission.AdminUsers)


def test_root_is_public_and_party_list_needs_login(tree):
    assert allowed(tree.root, [], Permission.Public)
    assert not allowed(tree.parties, [], Permission.PartiesList)
    assert allowed(tree.parties, [Authenticated], Permission.PartiesList)


def test_account_needs_login(tree):
    assert not allowed(tree.account, [], Permission.AccountView)
    assert allowed(tree.account, [Authenticated], Permission.AccountEdit)


@pytest.mark.parametrize("role,expected", [
    ("admin", True), ("backoffice", False), ("service", False), ("manager", False), ("head", False),
])
def test_admin_area_is_for_admins(tree, role, expected):
    principals = [Authenticated, f"role:{role}"]
    for permission in (Permission.AdminRoles, Permission.AdminWorkflows):
        assert allowed(tree.admin, principals, permission) is expected
    assert allowed(tree.colleague, principals, Permission.AdminUsers) is expected  # a member of staff's page
    assert allowed(tree.user, principals, Permission.AdminRoles) is expected


@pytest.mark.parametrize("role,expected", [
    ("admin", True), ("backoffice", True), ("service", False), ("manager", False), ("head", False),
])
def test_customers_users_and_parties_are_administered_by_admins_and_the_back_office(tree, role, expected):
    principals = [Authenticated, f"role:{role}"]
    assert allowed(tree.admin, principals, Permission.AdminUsers) is expected
    assert allowed(tree.admin, principals, Permission.AdminParties) is expected
    assert allowed(tree.user, principals, Permission.AdminUsers) is expected  # inherited for a customer's user
    assert not allowed(tree.user, [Authenticated, "party:42"], Permission.AdminUsers)


@pytest.mark.parametrize("key", ["", "x", "-1", "1e3", "١٢", "9" * 19])
def test_party_container_refuses_non_numeric_keys(key):
    def no_query(*args, **kwargs):
        pytest.fail("no query expected")

    container = factories.party_container(SimpleNamespace(get=no_query, execute=no_query, scalar=no_query))
    with pytest.raises(KeyError):
        container[key]
