"""Login, logout, lockout, throttling, CSRF and session rotation through HTTP."""
from datetime import timedelta

from sqlalchemy import func, select

from portal.db.meta import utcnow
from portal.identity.models import AuthSession, LoginFailure, User
from tests.conftest import PASSWORD, login
from tests.factories import PartyFactory, customer, staff

GENERIC = "Wrong login or password"
LOCKED = "Too many failed attempts for this login: it is locked for now."


def test_login_page_renders_form_with_csrf(testapp):
    page = testapp.get("/login")
    assert page.forms["login"]["csrf_token"].value
    assert "password" in page.forms["login"].fields


def test_anonymous_root_redirects_to_login(testapp):
    assert testapp.get("/", status=303).location.endswith("/login")


def test_successful_login_lands_on_the_only_party(testapp, dbsession):
    party = PartyFactory(name="Acme Energy")
    user = customer(party)
    response = login(testapp, user.login)
    assert response.location.endswith(f"/p/{party.id}")
    home = response.follow()
    assert "Acme Energy" in home.text
    assert user.full_name in home.text
    assert dbsession.get(User, user.id).last_login_at is not None


def test_login_is_case_insensitive_and_trims(testapp):
    user = customer()
    login(testapp, "  " + user.login.upper() + " ")
    assert testapp.get("/account/").status_int == 200


def test_wrong_password_and_unknown_login_give_the_same_message(testapp):
    user = customer()
    wrong = login(testapp, user.login, "Wrong-password-1", status=400)
    unknown = login(testapp, "nobody-here", "Wrong-password-1", status=400)
    assert GENERIC in wrong.text and GENERIC in unknown.text
    assert "nobody-here" in unknown.text  # the login is kept in the form
    assert testapp.get("/account/", status=303).location.startswith("http://localhost/login")


def test_blocked_user_cannot_log_in(testapp):
    user = customer(state="blocked")
    page = login(testapp, user.login, status=400)
    assert GENERIC in page.text


def test_five_failures_lock_the_account_for_a_while(testapp, dbsession):
    user = customer()
    for _ in range(4):
        login(testapp, user.login, "Wrong-password-1", status=400)
    # The fifth failure locks the login, and says so (an unknown login reads alike: test_lockout.py).
    page = login(testapp, user.login, "Wrong-password-1", status=429)
    assert LOCKED in page.text
    dbsession.flush()
    dbsession.expire_all()
    locked = dbsession.get(User, user.id)
    assert locked.locked_until is not None
    assert locked.locked_until > utcnow() + timedelta(minutes=14)
    # Even the right password is refused while locked, with the same message.
    page = login(testapp, user.login, PASSWORD, status=429)
    assert LOCKED in page.text
    # After the lock expires the right password works again.
    locked.locked_until = utcnow() - timedelta(seconds=1)
    dbsession.flush()
    login(testapp, user.login, PASSWORD)


def test_four_failures_then_success_resets_the_counter(testapp, dbsession):
    user = customer()
    for _ in range(4):
        login(testapp, user.login, "Wrong-password-1", status=400)
    login(testapp, user.login, PASSWORD)
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(User, user.id).failed_logins == 0


def test_an_address_with_many_failures_is_throttled(testapp, dbsession):
    user = customer()
    for n in range(20):
        login(testapp, f"guess{n}", "Wrong-password-1", status=400)
    page = login(testapp, user.login, PASSWORD, status=429)
    assert "Too many failed logins from your address" in page.text
    assert dbsession.scalar(select(func.count()).select_from(LoginFailure)) == 20
    # Another address is not affected.
    testapp.extra_environ["REMOTE_ADDR"] = "198.51.100.7"
    login(testapp, user.login, PASSWORD)


def test_post_without_csrf_token_is_refused(testapp, dbsession):
    user = customer()
    testapp.get("/login")
    response = testapp.post("/login", {"login": user.login, "password": PASSWORD}, status=400)
    assert "The form has expired" in response.text
    assert dbsession.scalar(select(func.count()).select_from(AuthSession)) == 0


def test_post_with_a_stale_csrf_token_is_refused(testapp):
    user = customer()
    page = testapp.get("/login")
    form = page.forms["login"]
    form["login"], form["password"] = user.login, PASSWORD
    form["csrf_token"] = "0" * 40
    form.submit("submit", status=400)


def test_session_is_rotated_at_login(testapp, dbsession):
    user = customer()
    page = testapp.get("/login")
    anonymous_cookie = testapp.cookies["portal_session"]
    anonymous_token = page.forms["login"]["csrf_token"].value
    login(testapp, user.login)
    assert testapp.cookies["portal_session"] != anonymous_cookie
    account = testapp.get("/account/")
    assert anonymous_token not in account.text
    # The anonymous cookie stays anonymous: it was never promoted.
    testapp.set_cookie("portal_session", anonymous_cookie)
    testapp.get("/account/", status=303)


def test_logout_ends_the_server_side_session(testapp, dbsession):
    user = customer()
    login(testapp, user.login)
    logged_in_cookie = testapp.cookies["portal_session"]
    token = testapp.get("/account/").forms[0]["csrf_token"].value
    testapp.post("/logout", {"csrf_token": token}, status=303)
    assert dbsession.scalar(select(func.count()).select_from(AuthSession)) == 0
    # Replaying the old cookie does not bring the login back.
    testapp.set_cookie("portal_session", logged_in_cookie)
    testapp.get("/account/", status=303)


def test_logout_needs_post_with_csrf(testapp):
    user = customer()
    login(testapp, user.login)
    testapp.get("/logout", status=404)
    testapp.post("/logout", {}, status=400)
    assert testapp.get("/account/").status_int == 200


def test_next_parameter_returns_to_the_page_and_refuses_other_sites(testapp):
    user = staff("admin")
    first = testapp.get("/admin/users/", status=303)
    assert "next=%2Fadmin%2Fusers%2F" in first.location
    response = login(testapp, user.login, next_url="/admin/users/")
    assert response.location.endswith("/admin/users/")
    testapp.reset()
    response = login(testapp, user.login, next_url="//evil.example/x")
    assert "evil" not in response.location


def test_overlong_login_is_a_form_error_not_a_crash(testapp):
    response = login(testapp, "x" * 5000, "whatever", status=200)
    assert "Longer than maximum length 64" in response.text


def test_a_login_session_ends_after_max_days_however_active(testapp, dbsession):
    user = customer()
    login(testapp, user.login)
    assert testapp.get("/account/").status_int == 200
    session = dbsession.scalars(select(AuthSession)).one()
    # Used a minute ago (not idle), but opened by a login six days ago: still on.
    session.created_at = utcnow() - timedelta(days=6, hours=23)
    session.last_seen_at = utcnow() - timedelta(minutes=1)
    dbsession.flush()
    assert testapp.get("/account/").status_int == 200
    # Seven days after the login it ends, active or not (portal.session.max_days, default 7).
    session.created_at = utcnow() - timedelta(days=7, minutes=1)
    dbsession.flush()
    assert testapp.get("/account/", status=303).location.startswith("http://localhost/login")


def test_a_new_login_clears_the_users_expired_sessions(testapp, app, dbsession):
    import webtest

    user = customer()
    login(testapp, user.login)
    old = dbsession.scalars(select(AuthSession)).one()
    old.created_at = utcnow() - timedelta(days=8)
    dbsession.flush()
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, user.login)
    dbsession.expire_all()
    assert [s.id for s in dbsession.scalars(select(AuthSession))] != [old.id]
    assert dbsession.scalar(select(func.count()).select_from(AuthSession)) == 1
