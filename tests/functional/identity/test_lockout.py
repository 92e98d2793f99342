"""A lock or a throttle says in plain words when to try again, alike for every login (known or
not), and administrators can lift either one (page and console), audited."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.db.meta import utcnow
from portal.identity.models import LoginFailure, User
from tests.conftest import PASSWORD, csrf_token, login
from tests.factories import customer, staff


def fail(testapp, login_name, times, status=(400, 429)):
    page = None
    for _ in range(times):
        page = login(testapp, login_name, "Wrong-password-1", status=status)
    return page


def alert(page):
    return page.html.select_one(".alert-danger").text


def test_a_locked_login_says_how_many_minutes_are_left(testapp, dbsession):
    user = customer()
    fail(testapp, user.login, 4, status=400)
    fifth = login(testapp, user.login, "Wrong-password-1", status=429)
    assert "try again in 15 min" in alert(fifth)
    # Minutes pass: the message counts down, and the right password still waits.
    dbsession.flush()
    dbsession.execute(select(User).where(User.id == user.id)).scalar_one().locked_until = utcnow() + timedelta(
        minutes=6, seconds=30)
    dbsession.flush()
    page = login(testapp, user.login, PASSWORD, status=429)
    assert "try again in 7 min" in alert(page)
    assert "Retry-After" in page.headers


def test_an_unknown_login_locks_alike_so_a_lock_tells_nothing(testapp):
    user = customer()
    known = [alert(p) for p in (fail(testapp, user.login, n) for n in (1, 4, 1))]
    testapp.extra_environ["REMOTE_ADDR"] = "198.51.100.8"
    unknown = [alert(p) for p in (fail(testapp, "no-such-login", n) for n in (1, 4, 1))]
    assert known == unknown
    assert "try again in 15 min" in unknown[-1]


def test_a_throttled_address_says_how_many_minutes_are_left(testapp, dbsession):
    user = customer()
    long_ago = utcnow() - timedelta(minutes=10)
    dbsession.add_all(LoginFailure(ip="192.0.2.10", login=f"guess{n}", at=long_ago) for n in range(20))
    dbsession.flush()
    page = login(testapp, user.login, PASSWORD, status=429)
    assert "Too many failed logins from your address" in alert(page)
    assert "try again in 5 min" in alert(page).lower()


def test_admin_unlocks_a_locked_user_from_its_page_audited(testapp, app, dbsession):
    import webtest

    user = customer()
    victim = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ, REMOTE_ADDR="203.0.113.5"))
    fail(victim, user.login, 5)
    admin = staff("admin")
    login(testapp, admin.login)
    page = testapp.get(f"/admin/users/{user.id}/")
    assert "Locked until" in page.text
    done = page.forms["user-unlock"].submit(status=303).follow()
    assert "The login has been unlocked." in done.text
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "user.unlock")).one()
    assert entry.target == f"user:{user.id}"
    login(victim, user.login, PASSWORD)


def test_unlock_needs_post_csrf_and_an_admin(testapp, dbsession):
    user = customer()
    clerk = staff("service")  # the back office administers customers' users: it may unlock them
    login(testapp, clerk.login)
    testapp.post(f"/admin/users/{user.id}/unlock", {"csrf_token": csrf_token(testapp)}, status=(403, 404))
    testapp.reset()
    login(testapp, staff("admin").login)
    testapp.get(f"/admin/users/{user.id}/unlock", status=404)
    testapp.post(f"/admin/users/{user.id}/unlock", {}, status=400)


@pytest.mark.parametrize("how", ["login", "address"])
def test_auth_service_unlocks_a_login_or_an_address(testapp, app, dbsession, how):
    from portal.identity.auth import DatabaseAuthService, LoginPolicy
    from tests.factories import TEST_PASSWORDS

    user = customer()
    service = DatabaseAuthService(dbsession, TEST_PASSWORDS, LoginPolicy.from_settings(app.registry.settings))
    target = user.login if how == "login" else "guess"
    for n in range(20 if how == "address" else 5):
        service.authenticate(f"{target}{n}" if how == "address" else target, "Wrong-password-1", "192.0.2.66")
    refused = service.authenticate(user.login, PASSWORD, "192.0.2.66")
    assert refused.error == ("locked" if how == "login" else "throttled")
    if how == "login":
        service.unlock(dbsession.get(User, user.id))
    else:
        assert service.unlock_address("192.0.2.66") == 20
    assert service.authenticate(user.login, PASSWORD, "192.0.2.66").user is not None


@pytest.mark.parametrize("how", ["set-password", "unblock"])
def test_an_admins_new_password_or_unblock_forgets_the_failures_too(testapp, app, dbsession, how):
    import webtest

    user = customer()
    victim = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ, REMOTE_ADDR="203.0.113.6"))
    fail(victim, user.login, 5)
    if how == "unblock":
        dbsession.get(User, user.id).state = "blocked"
        dbsession.flush()
    login(testapp, staff("admin").login)
    page = testapp.get(f"/admin/users/{user.id}/")
    if how == "set-password":
        form = page.forms["set-password"]
        form["new_password"] = form["confirmation"] = "Set-by-admin-99"
        form.submit("submit", status=303)
    else:
        page.forms["user-state"].submit(status=303)
    # One more mistake is one failure, not a new lock at once.
    assert GENERIC in login(victim, user.login, "Wrong-password-1", status=400).text


GENERIC = "Wrong login or password"
