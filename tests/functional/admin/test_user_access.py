"""An admin sets a user's staff roles and the parties it acts for, on the user's page: each change
takes effect on the user's next page and writes one audit entry naming the admin and what changed."""
import pytest
import webtest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.identity.models import User, UserRole
from portal.parties.models import Membership
from tests.conftest import login
from tests.factories import MembershipFactory, PartyFactory, UserFactory, customer, staff


@pytest.fixture
def admin(dbsession):
    return staff("admin", login="access-admin", last_name="Adminova")


@pytest.fixture
def admin_app(testapp, admin):
    login(testapp, admin.login)
    return testapp


def entries(dbsession, prefix):
    dbsession.flush()
    return dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)).all()


def roles_of(dbsession, user):
    dbsession.flush()
    return sorted(dbsession.scalars(select(UserRole.role).where(UserRole.user_id == user.id)))


def test_a_role_change_writes_one_audit_entry_with_the_old_and_new_roles(admin_app, app, dbsession, admin):
    user = UserFactory(last_name="Newclerk")
    form = admin_app.get(f"/admin/users/{user.id}/").forms["user-roles"]
    form.set("checkbox", True, index=0)  # backoffice
    form.set("checkbox", True, index=1)  # service
    page = form.submit("submit", status=303).follow()
    assert "The roles of Newclerk Test have been saved." in page.text
    assert roles_of(dbsession, user) == ["backoffice", "service"]
    (entry,) = entries(dbsession, "user.roles")
    assert (entry.actor_id, entry.target) == (admin.id, f"user:{user.id}")
    assert entry.detail == {"changes": {"roles": [[], ["backoffice", "service"]]}}
    # The next page the user opens is a member of staff's.
    clerk = webtest.TestApp(app, extra_environ=dict(admin_app.extra_environ))
    login(clerk, user.login)
    clerk.get("/backoffice/", status=200)
    # Taking one away is one more entry; saving the same roles again writes none.
    form = admin_app.get(f"/admin/users/{user.id}/").forms["user-roles"]
    form.set("checkbox", False, index=1)
    form.submit("submit", status=303)
    assert "Nothing has changed." in admin_app.get(f"/admin/users/{user.id}/").forms["user-roles"].submit(
        "submit", status=303).follow().text
    assert [e.detail["changes"]["roles"] for e in entries(dbsession, "user.roles")] == [
        [[], ["backoffice", "service"]], [["backoffice", "service"], ["backoffice"]]]


def test_an_admin_cannot_take_the_admin_role_from_himself(admin_app, dbsession, admin):
    form = admin_app.get(f"/admin/users/{admin.id}/").forms["user-roles"]
    for index in range(5):
        form.set("checkbox", False, index=index)
    page = form.submit("submit", status=400)
    assert "You cannot take the administrator role from yourself." in page.text
    assert roles_of(dbsession, admin) == ["admin"]
    assert entries(dbsession, "user.roles") == []


def test_a_forged_role_is_refused_and_changes_nothing(admin_app, dbsession):
    user = UserFactory()
    form = admin_app.get(f"/admin/users/{user.id}/").forms["user-roles"]
    token = form["csrf_token"].value
    admin_app.post(f"/admin/users/{user.id}/roles", [("csrf_token", token), ("__start__", "roles:sequence"),
                                                     ("checkbox", "superuser"), ("__end__", "roles:sequence"),
                                                     ("submit", "submit")], status=400)
    assert roles_of(dbsession, user) == []
    assert entries(dbsession, "user.roles") == []


def test_binding_a_user_to_a_party_and_revoking_it_is_audited(admin_app, app, dbsession, admin):
    party = PartyFactory(name="Bound Co", external_id="1C-BOUND")
    user = UserFactory(last_name="Bindova")
    form = admin_app.get(f"/admin/users/{user.id}/").forms["add-party"]
    form["party"] = "1C-BOUND"
    page = form.submit("submit", status=303).follow()
    assert "Bindova Test now acts for Bound Co." in page.text
    (added,) = entries(dbsession, "membership.")
    assert (added.action, added.actor_id, added.target) == ("membership.add", admin.id, f"user:{user.id}")
    assert added.detail == {"party_id": party.id, "party": "Bound Co", "role": "all",
                            "changes": {"state": [None, "active"]}}
    customer_app = webtest.TestApp(app, extra_environ=dict(admin_app.extra_environ))
    login(customer_app, user.login)
    customer_app.get(f"/p/{party.id}/", status=200)

    page = admin_app.get(f"/admin/users/{user.id}/")
    revoke = next(f for f in page.forms.values() if f.action.endswith("/revoke-party"))
    revoke.submit(status=303)
    dbsession.flush()
    assert dbsession.scalars(select(Membership.state).where(Membership.user_id == user.id)).one() == "revoked"
    customer_app.get(f"/p/{party.id}/", status=404)
    revoked = entries(dbsession, "membership.")[-1]
    assert (revoked.action, revoked.actor_id) == ("membership.revoke", admin.id)
    assert revoked.detail["changes"] == {"state": ["active", "revoked"]}

    page = admin_app.get(f"/admin/users/{user.id}/")
    next(f for f in page.forms.values() if f.action.endswith("/restore-party")).submit(status=303)
    customer_app.get(f"/p/{party.id}/", status=200)
    assert [e.action for e in entries(dbsession, "membership.")] == [
        "membership.add", "membership.revoke", "membership.activate"]


def test_a_requested_membership_is_made_active_by_adding_its_party(admin_app, dbsession):
    party = PartyFactory()
    user = UserFactory()
    MembershipFactory(user=user, party=party, state="requested")
    form = admin_app.get(f"/admin/users/{user.id}/").forms["add-party"]
    form["party"] = str(party.id)
    form.submit("submit", status=303)
    (entry,) = entries(dbsession, "membership.")
    assert entry.action == "membership.activate" and entry.detail["changes"] == {"state": ["requested", "active"]}


@pytest.mark.parametrize("ref, message", [
    ("NO-SUCH-PARTY", "There is no party “NO-SUCH-PARTY”."),
    ("", "Required"),
    ("99999999999999999999", "There is no party"),
])
def test_a_party_that_does_not_exist_is_refused_clearly(admin_app, dbsession, ref, message):
    user = UserFactory()
    form = admin_app.get(f"/admin/users/{user.id}/").forms["add-party"]
    form["party"] = ref
    assert message in form.submit("submit", status=400).text
    assert dbsession.scalars(select(Membership).where(Membership.user_id == user.id)).all() == []
    assert entries(dbsession, "membership.") == []


def test_adding_a_party_twice_is_refused(admin_app, dbsession):
    party = PartyFactory(name="Twice Co")
    user = customer(party, last_name="Twicer")
    form = admin_app.get(f"/admin/users/{user.id}/").forms["add-party"]
    form["party"] = str(party.id)
    assert "Twicer Test already acts for Twice Co." in form.submit("submit", status=400).text
    assert entries(dbsession, "membership.") == []


def test_another_users_membership_cannot_be_revoked_through_this_page(admin_app, dbsession):
    victim = customer()
    other = UserFactory()
    membership = dbsession.scalars(select(Membership).where(Membership.user_id == victim.id)).one()
    token = admin_app.get(f"/admin/users/{other.id}/").forms["add-party"]["csrf_token"].value
    page = admin_app.post(f"/admin/users/{other.id}/revoke-party",
                          {"csrf_token": token, "membership_id": str(membership.id)}, status=400)
    assert "This user does not act for that party." in page.text
    assert dbsession.get(Membership, membership.id).state == "active"


@pytest.mark.parametrize("role", ["service", "manager", "head"])
def test_only_admins_and_the_back_office_change_roles_and_memberships(testapp, dbsession, role):
    user, party = UserFactory(), PartyFactory()
    login(testapp, staff(role).login)
    token = testapp.get("/account/").forms[0]["csrf_token"].value
    testapp.post(f"/admin/users/{user.id}/roles", {"csrf_token": token, "submit": "submit"}, status=403)
    testapp.post(f"/admin/users/{user.id}/add-party", {"csrf_token": token, "party": str(party.id)}, status=403)
    dbsession.flush()
    assert dbsession.get(User, user.id).roles == [] and entries(dbsession, "membership.") == []


def test_role_and_membership_changes_need_the_csrf_token(admin_app, dbsession):
    user, party = UserFactory(), PartyFactory()
    admin_app.post(f"/admin/users/{user.id}/add-party", {"party": str(party.id)}, status=400)
    assert entries(dbsession, "membership.") == []
