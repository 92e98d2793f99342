"""Who is who: a new user (login, e-mail, phone, names, language, roles, a party with a role there), its
details, its memberships suspended, resumed and ended, its role in a party; blocking ends an open
session at once. Every change audited."""
import pytest
import webtest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.identity.models import User
from portal.parties.models import Membership
from tests.conftest import PASSWORD, login
from tests.factories import MembershipFactory, PartyFactory, UserFactory, customer, staff


@pytest.fixture
def admin_app(testapp):
    login(testapp, staff("admin", login="records-admin").login)
    return testapp


def browser(app, testapp):
    return webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))


def entries(dbsession, prefix):
    dbsession.flush()
    return dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)).all()


def membership_form(page, action, membership):
    return next(f for f in page.forms.values()
                if f.action.endswith(f"/{action}") and f["membership_id"].value == str(membership.id))


def test_a_new_customer_user_acts_for_its_party_in_its_role(admin_app, app, dbsession):
    party = PartyFactory(name="New Hire Co", external_id="NH-1")
    form = admin_app.get("/admin/users/new").forms["new-user"]
    form["login"] = " Ivanova.M "
    form["email"] = "m.ivanova@example.test"
    form["phone"] = "+7 495 123-45-67"
    form["last_name"] = "Ivanova"
    form["first_name"] = "Maria"
    form["middle_name"] = "Petrovna"
    form["language"] = "ru"
    form["party"] = "NH-1"
    form["party_role"] = "operations"
    page = form.submit("submit", status=303).follow()
    assert "The user ivanova.m has been created." in page.text
    user = dbsession.scalars(select(User).where(User.login == "ivanova.m")).one()
    assert (user.email, user.phone, user.full_name, user.language, user.roles, user.password_hash) == (
        "m.ivanova@example.test", "+7 495 123-45-67", "Ivanova Maria Petrovna", "ru", [], None)
    (membership,) = dbsession.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    assert (membership.party_id, membership.state, membership.role) == (party.id, "active", "operations")
    created, added = entries(dbsession, "user.create") + entries(dbsession, "membership.")
    assert created.detail == {"login": "ivanova.m", "roles": [], "email": "m.ivanova@example.test",
                              "phone": "+7 495 123-45-67", "last_name": "Ivanova", "first_name": "Maria",
                              "middle_name": "Petrovna", "language": "ru"}
    assert (added.action, added.detail["role"], added.detail["party_id"]) == ("membership.add", "operations", party.id)
    # With the password an administrator sets on its page, it logs in and sees its party.
    form = page.forms["set-password"]
    form["new_password"] = form["confirmation"] = PASSWORD
    form.submit("submit", status=303)
    newcomer = browser(app, admin_app)
    login(newcomer, "ivanova.m")
    newcomer.get(f"/p/{party.id}/", status=200)


def test_an_admin_gives_a_new_user_staff_roles(admin_app, dbsession):
    form = admin_app.get("/admin/users/new").forms["new-user"]
    form["login"] = "new-clerk"
    form["last_name"] = "Clerk"
    form.set("checkbox", True, index=0)  # backoffice
    form.submit("submit", status=303)
    user = dbsession.scalars(select(User).where(User.login == "new-clerk")).one()
    assert [r.role for r in user.roles] == ["backoffice"]


@pytest.mark.parametrize("fields, field, message", [
    ({"login": "taken-login"}, "login", "The login “taken-login” is taken."),
    ({"login": "TAKEN-LOGIN"}, "login", "The login “taken-login” is taken."),
    ({"login": "two words"}, "login", "Use Latin letters, digits"),
    ({"login": "x" * 65}, "login", "A login has at most 64 characters."),
    ({"login": "fresh", "email": "not-an-address"}, "email", "Invalid email address"),
    ({"login": "fresh", "phone": "call me"}, "phone", "Use digits, spaces, brackets and hyphens"),
    ({"login": "fresh", "party": "NO-SUCH"}, "party", "There is no party “NO-SUCH”."),
    ({"login": "fresh", "last_name": ""}, "last_name", "Required"),
])
def test_a_refused_new_user_says_why_and_creates_nobody(admin_app, dbsession, fields, field, message):
    UserFactory(login="taken-login")
    form = admin_app.get("/admin/users/new").forms["new-user"]
    form["last_name"] = "Someone"
    for name, value in fields.items():
        form[name] = value
    page = form.submit("submit", status=400)
    assert message in page.text
    assert page.html.select_one(f'[name="{field}"]') is not None
    dbsession.flush()
    assert dbsession.scalars(select(User.login).where(User.login == "fresh")).all() == []
    assert entries(dbsession, "user.create") == []


def test_the_back_office_creates_customers_users_but_gives_no_roles(app, testapp, dbsession):
    clerk = browser(app, testapp)
    login(clerk, staff("backoffice").login)
    form = clerk.get("/admin/users/new").forms["new-user"]
    assert "checkbox" not in form.fields
    form["login"] = "bo-made"
    form["last_name"] = "Made"
    fields = form.submit_fields("submit") + [("__start__", "roles:sequence"), ("checkbox", "admin"),
                                             ("__end__", "roles:sequence")]
    clerk.post("/admin/users/new", fields, status=303)
    user = dbsession.scalars(select(User).where(User.login == "bo-made")).one()
    assert user.roles == []


def test_details_are_changed_and_audited_with_what_changed(admin_app, dbsession):
    user = UserFactory(last_name="Oldname", email="old@example.test", phone=None)
    form = admin_app.get(f"/admin/users/{user.id}/").forms["user-details"]
    assert form["email"].value == "old@example.test"
    form["last_name"] = "Newname"
    form["phone"] = "+7 900 000-00-01"
    page = form.submit("submit", status=303).follow()
    assert "The details of Newname Test have been saved." in page.text
    (entry,) = entries(dbsession, "user.update")
    assert entry.detail == {"changes": {"phone": [None, "+7 900 000-00-01"], "last_name": ["Oldname", "Newname"]}}
    form = admin_app.get(f"/admin/users/{user.id}/").forms["user-details"]
    assert "Nothing has changed." in form.submit("submit", status=303).follow().text
    form["email"] = "broken@"
    assert "Invalid email address" in form.submit("submit", status=400).text
    assert len(entries(dbsession, "user.update")) == 1


def test_a_membership_is_suspended_resumed_ended_and_given_a_role(admin_app, app, dbsession):
    party = PartyFactory(name="Member Co")
    user = customer(party, last_name="Member")
    (membership,) = user.memberships
    member = browser(app, admin_app)
    login(member, user.login)
    member.get(f"/p/{party.id}/", status=200)

    page = admin_app.get(f"/admin/users/{user.id}/")
    page = membership_form(page, "suspend-party", membership).submit(status=303).follow()
    assert "Member Test no longer acts for Member Co until the access is resumed." in page.text
    member.get(f"/p/{party.id}/", status=404)
    page = membership_form(page, "restore-party", membership).submit(status=303).follow()
    member.get(f"/p/{party.id}/", status=200)
    form = membership_form(page, "party-role", membership)
    form["role"] = "finance"
    page = form.submit(status=303).follow()
    assert "The role of Member Test in Member Co has been saved." in page.text
    membership_form(page, "revoke-party", membership).submit(status=303)
    member.get(f"/p/{party.id}/", status=404)
    dbsession.expire_all()
    assert (dbsession.get(Membership, membership.id).state, dbsession.get(Membership, membership.id).role) == (
        "revoked", "finance")
    assert [(e.action, e.detail["changes"]) for e in entries(dbsession, "membership.")] == [
        ("membership.suspend", {"state": ["active", "suspended"]}),
        ("membership.activate", {"state": ["suspended", "active"]}),
        ("membership.role", {"role": ["all", "finance"]}),
        ("membership.revoke", {"state": ["active", "revoked"]}),
    ]


def test_a_forged_role_or_another_users_membership_changes_nothing(admin_app, dbsession):
    user, other = customer(), customer()
    (mine,), (theirs,) = user.memberships, other.memberships
    token = admin_app.get(f"/admin/users/{user.id}/").forms["add-party"]["csrf_token"].value
    page = admin_app.post(f"/admin/users/{user.id}/party-role",
                          {"csrf_token": token, "membership_id": str(mine.id), "role": "owner"}, status=400)
    assert "Choose one of the roles offered." in page.text
    page = admin_app.post(f"/admin/users/{user.id}/party-role",
                          {"csrf_token": token, "membership_id": str(theirs.id), "role": "finance"}, status=400)
    assert "This user does not act for that party." in page.text
    admin_app.post(f"/admin/users/{user.id}/suspend-party",
                   {"csrf_token": token, "membership_id": str(theirs.id)}, status=400)
    dbsession.expire_all()
    assert {(m.role, m.state) for m in dbsession.scalars(select(Membership))} >= {("all", "active")}
    assert dbsession.get(Membership, theirs.id).state == "active" and entries(dbsession, "membership.") == []


def test_adding_a_party_gives_the_chosen_role(admin_app, dbsession):
    party = PartyFactory(external_id="ROLE-CO")
    user = UserFactory()
    MembershipFactory(user=user, party=party, state="suspended")
    form = admin_app.get(f"/admin/users/{user.id}/").forms["add-party"]
    form["party"] = "ROLE-CO"
    form["role"] = "finance"
    form.submit("submit", status=303)
    dbsession.expire_all()
    (membership,) = dbsession.scalars(select(Membership).where(Membership.user_id == user.id)).all()
    assert (membership.state, membership.role) == ("active", "finance")


def test_blocking_a_user_refuses_its_open_session_on_the_next_request(admin_app, app, dbsession):
    party = PartyFactory()
    user = customer(party, login="soon-blocked")
    session = browser(app, admin_app)
    login(session, "soon-blocked")
    session.get(f"/p/{party.id}/", status=200)
    admin_app.get(f"/admin/users/{user.id}/").forms["user-state"].submit(status=303)
    response = session.get(f"/p/{party.id}/", status=303)
    assert "/login" in response.location
    session.get("/account/", status=303)
    login(session, "soon-blocked", status=400)
    (entry,) = entries(dbsession, "user.block")
    assert entry.target == f"user:{user.id}"
