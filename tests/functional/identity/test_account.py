"""The user's own account: profile and password change."""
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.identity.models import AuthSession
from tests.conftest import PASSWORD, login
from tests.factories import customer


def change_form(testapp):
    return testapp.get("/account/password").forms["password"]


def test_profile_shows_own_data(testapp):
    user = customer(email="me@example.test", phone="+7 900 000 00 00")
    login(testapp, user.login)
    page = testapp.get("/account/")
    assert "me@example.test" in page.text and "+7 900 000 00 00" in page.text


def test_change_password_then_log_in_with_it(testapp, dbsession):
    user = customer()
    login(testapp, user.login)
    form = change_form(testapp)
    form["current_password"] = PASSWORD
    form["new_password"] = "Brand-new-secret-7"
    form["confirmation"] = "Brand-new-secret-7"
    done = form.submit("submit", status=303).follow()
    assert "Your password has been changed." in done.text
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "password.change")) == 1
    testapp.reset()
    login(testapp, user.login, PASSWORD, status=400)
    login(testapp, user.login, "Brand-new-secret-7")


def test_change_password_ends_other_sessions(testapp, app, tm, dbsession):
    import webtest

    user = customer()
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, user.login)
    login(testapp, user.login)
    form = change_form(testapp)
    form["current_password"] = PASSWORD
    form["new_password"] = form["confirmation"] = "Brand-new-secret-7"
    form.submit("submit", status=303)
    assert dbsession.scalar(select(func.count()).select_from(AuthSession)) == 1
    other.get("/account/", status=303)
    assert testapp.get("/account/").status_int == 200


def test_wrong_current_password_weak_or_mismatched_new_one(testapp, dbsession):
    user = customer()
    login(testapp, user.login)
    before = dbsession.get(type(user), user.id).password_hash
    cases = [
        ("Wrong-current-1", "Brand-new-secret-7", "Brand-new-secret-7", "The current password is wrong."),
        (PASSWORD, "short1", "short1", "at least 10 characters"),
        (PASSWORD, "onlyletterslong", "onlyletterslong", "mix letters with digits"),
        (PASSWORD, user.login + "-42-x", user.login + "-42-x", "must not contain the login"),
        (PASSWORD, "Brand-new-secret-7", "Brand-new-secret-8", "The passwords do not match."),
        (PASSWORD, "x" * 300 + "1", "x" * 300 + "1", "Longer than maximum length"),
    ]
    for current, new, confirmation, message in cases:
        form = change_form(testapp)
        form["current_password"], form["new_password"], form["confirmation"] = current, new, confirmation
        response = form.submit("submit", status=400)
        assert message in response.text, message
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(type(user), user.id).password_hash == before


def test_account_requires_login(testapp):
    assert "/login" in testapp.get("/account/password", status=303).location


def test_guessing_the_current_password_counts_like_failed_logins_then_logs_out(testapp, dbsession):
    from portal.identity.models import User

    user = customer()
    login(testapp, user.login)
    for n in range(1, 5):
        form = change_form(testapp)
        form["current_password"] = f"Guess-number-{n}"
        form["new_password"] = form["confirmation"] = "Brand-new-secret-7"
        assert "The current password is wrong." in form.submit("submit", status=400).text
        dbsession.flush()
        dbsession.expire_all()
        assert dbsession.get(User, user.id).failed_logins == n
    form = change_form(testapp)
    form["current_password"] = "Guess-number-5"
    form["new_password"] = form["confirmation"] = "Brand-new-secret-7"
    out = form.submit("submit", status=303)
    assert out.location.endswith("/login")
    page = out.follow()
    assert "You have been logged out: the current password was wrong too many times." in page.text
    assert "try again in 15 min" in page.text
    testapp.get("/account/", status=303)
    # The login is locked like after failed logins: the right password waits too.
    assert "locked" in login(testapp, user.login, PASSWORD, status=429).text
    dbsession.flush()
    dbsession.expire_all()
    assert dbsession.get(User, user.id).password_hash == user.password_hash
