"""Users and memberships through ``/api/v1/``: created, unchanged, updated, refused per row, read back,
blocked or revoked by DELETE (audited, taking effect at the user's next page); never a password."""
import webtest
from sqlalchemy import select, update

import portal
from portal.audit.models import AuditEntry
from portal.identity.models import AuthSession, User
from portal.parties.models import Membership
from tests.conftest import login
from tests.factories import MembershipFactory, PartyFactory, UserFactory
from tests.functional.api.conftest import bearer
from tests.functional.api.test_finance import first_errors, post, results, stored

USERS, MEMBERSHIPS = "/api/v1/users", "/api/v1/memberships"


def user_row(external_id="I-U-1", **kw):
    return {"external_id": external_id, "login": f"login-{external_id.lower()}", "email": "ivanov@example.test",
            "last_name": "Иванов", "first_name": "Иван", "language": "ru", **kw}


def audited(dbsession, action, user):
    return dbsession.scalars(select(AuditEntry).where(AuditEntry.action == action,
                                                      AuditEntry.target == f"user:{user.id}")).all()


def browser_of(testapp, user):
    browser = webtest.TestApp(testapp.app, extra_environ=dict(testapp.extra_environ))
    login(browser, user.login)
    return browser


# --- users --------------------------------------------------------------------------------------
def test_a_user_is_created_without_a_password_unchanged_and_updated(testapp, dbsession, write_key):
    assert results(post(testapp, write_key, USERS, user_row())) == ["created"]
    user = stored(dbsession, User, "I-U-1")
    assert (user.login, user.full_name, user.password_hash, user.state) == (
        "login-i-u-1", "Иванов Иван", None, "active")
    assert audited(dbsession, "user.create", user)
    assert results(post(testapp, write_key, USERS, user_row())) == ["unchanged"]
    assert results(post(testapp, write_key, USERS, user_row(first_name=None, phone="+7 900"))) == ["updated"]
    user = stored(dbsession, User, "I-U-1")
    assert (user.first_name, user.phone) == ("", "+7 900")
    read = testapp.get(f"{USERS}/I-U-1", headers=bearer(write_key)).json
    assert read == {"external_id": "I-U-1", "login": "login-i-u-1", "email": "ivanov@example.test",
                    "phone": "+7 900", "last_name": "Иванов", "first_name": None, "middle_name": None,
                    "language": "ru", "state": "active"}


def test_bad_user_rows_are_refused_and_a_password_is_no_field(testapp, dbsession, write_key):
    UserFactory(login="taken")
    response = post(testapp, write_key, USERS, {"items": [
        user_row("I-U-1", login="taken"), user_row("I-U-2", email="not an e-mail"),
        user_row("I-U-3", language="de"), user_row("I-U-4", password="secret"), user_row("I-U-5", login=""),
        user_row("I-U-6", state="deleted"), user_row("I-U-7")]})
    assert results(response) == ["error"] * 6 + ["created"]
    assert [e[0] for e in first_errors(response)[:6]] == ["login", "email", "language", "password", "login",
                                                          "state"]
    assert first_errors(response)[0][1] == "Another user has the login taken."
    assert [u.external_id for u in dbsession.scalars(select(User).where(User.external_id.like("I-U-%")))] == [
        "I-U-7"]


def test_delete_blocks_the_user_and_ends_its_sessions(testapp, dbsession, write_key):
    user = UserFactory(external_id="I-U-7")
    party = PartyFactory()
    MembershipFactory(user=user, party=party)
    browser = browser_of(testapp, user)
    assert dbsession.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).first() is not None
    assert testapp.delete(f"{USERS}/I-U-7", headers=bearer(write_key)).json["result"] == "deleted"
    assert stored(dbsession, User, "I-U-7").state == "blocked" and audited(dbsession, "user.block", user)
    assert dbsession.scalars(select(AuthSession).where(AuthSession.user_id == user.id)).first() is None
    assert "/login" in browser.get(f"/p/{party.id}/", status=303).location
    row = {"external_id": "I-U-7", "login": user.login, "state": "active"}
    assert results(post(testapp, write_key, USERS, row)) == ["updated"]
    assert stored(dbsession, User, "I-U-7").state == "active" and audited(dbsession, "user.unblock", user)


# --- memberships --------------------------------------------------------------------------------
def test_a_membership_lets_the_user_in_and_delete_revokes_it(testapp, dbsession, write_key):
    user, party = UserFactory(external_id="I-U-8"), PartyFactory(external_id="I-P-1")
    row = {"external_id": "I-MS-1", "user": "I-U-8", "party": "I-P-1"}
    assert results(post(testapp, write_key, MEMBERSHIPS, row)) == ["created"]
    membership = stored(dbsession, Membership, "I-MS-1")
    assert membership.state == "active" and audited(dbsession, "membership.add", user)
    browser = browser_of(testapp, user)
    browser.get(f"/p/{party.id}/")
    assert results(post(testapp, write_key, MEMBERSHIPS, row)) == ["unchanged"]
    by_login = {"external_id": "I-MS-1", "login": user.login, "party": "I-P-1"}
    assert results(post(testapp, write_key, MEMBERSHIPS, by_login)) == ["unchanged"]
    assert testapp.get(f"{MEMBERSHIPS}/I-MS-1", headers=bearer(write_key)).json == {
        "external_id": "I-MS-1", "user": "I-U-8", "login": user.login, "party": "I-P-1", "role": "all",
        "state": "active"}
    assert results(post(testapp, write_key, MEMBERSHIPS, dict(row, role="finance"))) == ["updated"]
    assert stored(dbsession, Membership, "I-MS-1").role == "finance" and audited(dbsession, "membership.role", user)
    assert testapp.delete(f"{MEMBERSHIPS}/I-MS-1", headers=bearer(write_key)).json["result"] == "deleted"
    assert stored(dbsession, Membership, "I-MS-1").state == "revoked" and audited(dbsession, "membership.revoke",
                                                                                   user)
    browser.get(f"/p/{party.id}/", status=404)
    assert results(post(testapp, write_key, MEMBERSHIPS, dict(row, state="active"))) == ["updated"]
    assert audited(dbsession, "membership.activate", user)


def test_an_administrators_membership_is_taken_over_and_bad_rows_are_refused(testapp, dbsession, write_key):
    user, party = UserFactory(external_id="I-U-9"), PartyFactory(external_id="I-P-2")
    other_user, other_party = UserFactory(), PartyFactory(external_id="I-P-3")
    made = MembershipFactory(user=user, party=party, state="requested")
    response = post(testapp, write_key, MEMBERSHIPS, {"items": [
        {"external_id": "I-MS-2", "user": "I-U-9", "party": "I-P-2", "state": "active"},
        {"external_id": "I-MS-3", "user": "I-U-9", "party": "I-P-2"},
        {"external_id": "I-MS-4", "user": "I-U-404", "party": "I-P-2"},
        {"external_id": "I-MS-5", "login": "nobody-at-all", "party": "I-P-2"},
        {"external_id": "I-MS-6", "user": "I-U-9", "login": other_user.login, "party": "I-P-2"},
        {"external_id": "I-MS-7", "party": "I-P-2"},
        {"external_id": "I-MS-8", "user": "I-U-9", "party": "I-P-404"},
        {"external_id": "I-MS-2", "user": "I-U-9", "party": "I-P-3"},
    ]})
    assert results(response) == ["created"] + ["error"] * 7
    assert [e[0] for e in first_errors(response)[1:]] == ["party", "user", "login", "login", "user", "party",
                                                          "external_id"]
    assert first_errors(response)[1][1] == "The user already acts for the party under the external id I-MS-2."
    dbsession.expire_all()
    assert (made.external_id, made.state) == ("I-MS-2", "active")
    moved = post(testapp, write_key, MEMBERSHIPS, {"external_id": "I-MS-2", "user": "I-U-9", "party": "I-P-3"})
    assert first_errors(moved) == [("party", "A membership cannot move to another user or party.")]
    assert other_party.id and stored(dbsession, Membership, "I-MS-2").party_id == party.id


def test_the_licence_holds_for_what_the_api_lets_in(app_settings, tm, dbsession, write_key):
    one_seat = portal.main({}, **dict(app_settings, **{"portal.max_customer_users": "1"}))
    client = webtest.TestApp(one_seat, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                                      "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    dbsession.execute(update(User).where(User.state == "active").values(state="blocked"))  # nobody holds a seat
    seated = UserFactory(external_id="I-U-10")
    UserFactory(external_id="I-U-11")
    party = PartyFactory(external_id="I-P-4")
    MembershipFactory(user=seated, party=party)
    response = post(client, write_key, MEMBERSHIPS, {"items": [
        {"external_id": "I-MS-10", "user": "I-U-11", "party": "I-P-4"},
        {"external_id": "I-MS-11", "user": "I-U-11", "party": "I-P-4", "state": "suspended"},
        {"external_id": "I-MS-12", "user": "I-U-10", "party": PartyFactory(external_id="I-P-5").external_id}]})
    assert results(response) == ["error", "created", "created"]
    assert first_errors(response)[0][0] == "state" and "licence allows 1" in first_errors(response)[0][1]
    assert post(client, write_key, MEMBERSHIPS, {"external_id": "I-MS-11", "user": "I-U-11", "party": "I-P-4",
                                                 "state": "active"}).json["results"][0]["result"] == "error"
    assert client.delete(f"{USERS}/I-U-10", headers=bearer(write_key)).json["result"] == "deleted"
    waiting_active = {"external_id": "I-MS-11", "user": "I-U-11", "party": "I-P-4", "state": "active"}
    assert results(post(client, write_key, MEMBERSHIPS, waiting_active)) == ["updated"]
    unblock = post(client, write_key, USERS, {"external_id": "I-U-10", "login": seated.login, "state": "active"})
    assert first_errors(unblock)[0][0] == "state" and stored(dbsession, User, "I-U-10").state == "blocked"
