"""Two-factor through HTTP on a frozen clock: setting it up on /account/two-factor, the login's code
step (wrong, replayed, recovery codes, the lock), turning it off, and staff who must have it."""
from datetime import datetime, timedelta, timezone

import pyotp
import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.identity import two_factor
from portal.identity.models import AuthSession, User
from tests.conftest import PASSWORD, login
from tests.factories import PartyFactory, customer, staff

WRONG = "The code is wrong or has expired."


class Clock:
    """The time the two-factor views see; ``tick`` moves it on by whole TOTP steps."""

    def __init__(self):
        self.now = datetime(2026, 12, 2, 9, 0, 5, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def tick(self, steps=1):
        self.now += timedelta(seconds=30 * steps)


@pytest.fixture
def clock(monkeypatch):
    frozen = Clock()
    monkeypatch.setattr("portal.identity.views.two_factor.utcnow", frozen)
    monkeypatch.setattr("portal.identity.views.login_steps.utcnow", frozen)
    return frozen


def code(dbsession, user, clock, offset=0):
    dbsession.refresh(user)
    return pyotp.TOTP(user.totp_secret).at(clock.now + timedelta(seconds=30 * offset))


def set_up(testapp, dbsession, user, clock):
    """Turn two-factor on from the account page; the recovery codes it shows."""
    page = testapp.get("/account/").click("Off: set it up")
    page = page.forms["two-factor-start"].submit().follow()
    assert "<svg" in page.text and "Scan this QR code" in page.text
    form = page.forms["two-factor-code"]
    form["code"] = code(dbsession, user, clock)
    shown = form.submit("submit", status=200)
    return [li.get_text() for li in shown.html.select("#recovery-codes li")]


def log_in_with_code(testapp, user, value, status=303):
    step = login(testapp, user.login)
    assert step.location == "http://localhost/two-factor"
    form = testapp.get("/two-factor").forms["two-factor"]
    form["code"] = value
    return form.submit("submit", status=status)


def sessions(dbsession, user):
    return dbsession.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id))


def audited(dbsession, action):
    return dbsession.scalars(select(AuditEntry.target).where(AuditEntry.action == action)).all()


def test_set_up_then_log_in_with_the_apps_code(testapp, dbsession, clock):
    party = PartyFactory()
    user = customer(party)
    login(testapp, user.login)
    codes = set_up(testapp, dbsession, user, clock)
    assert len(codes) == 10 and all(len(c) == 19 for c in codes)
    assert dbsession.get(User, user.id).totp_enabled_at == clock.now
    assert audited(dbsession, "two_factor.enable") == [f"user:{user.id}"]
    page = testapp.get("/account/two-factor")
    assert "Two-factor login is on." in page.text and "Recovery codes left: 10." in page.text
    assert "<svg" not in page.text and dbsession.get(User, user.id).totp_secret not in page.text  # never again
    testapp.reset()
    clock.tick()
    before = sessions(dbsession, user)
    # The password alone opens nothing: no login session until the code.
    login(testapp, user.login)
    assert sessions(dbsession, user) == before
    assert testapp.get("/account/", status=303).location.startswith("http://localhost/login")
    testapp.reset()
    done = log_in_with_code(testapp, user, code(dbsession, user, clock))
    assert done.location.endswith(f"/p/{party.id}")
    assert sessions(dbsession, user) == before + 1 and testapp.get("/account/").status_int == 200


def test_a_wrong_or_replayed_code_is_refused(testapp, dbsession, clock):
    user = customer()
    login(testapp, user.login)
    set_up(testapp, dbsession, user, clock)
    testapp.reset()
    clock.tick()
    good = code(dbsession, user, clock)
    wrong = "000000" if good != "000000" else "111111"
    before = sessions(dbsession, user)
    refused = log_in_with_code(testapp, user, wrong, status=400)
    assert WRONG in refused.text and sessions(dbsession, user) == before
    assert audited(dbsession, "login.two_factor_failure") == [f"user:{user.id}"]
    form = refused.forms["two-factor"]
    form["code"] = good
    form.submit("submit", status=303)
    testapp.reset()
    assert WRONG in log_in_with_code(testapp, user, good, status=400).text  # the same code again
    assert WRONG in log_in_with_code(testapp, user, code(dbsession, user, clock, -3), status=400).text
    assert WRONG in log_in_with_code(testapp, user, "<script>", status=400).text


def test_a_recovery_code_logs_in_once_and_says_how_many_are_left(testapp, dbsession, clock):
    user = customer()
    login(testapp, user.login)
    codes = set_up(testapp, dbsession, user, clock)
    testapp.reset()
    done = log_in_with_code(testapp, user, codes[3].upper()).follow()
    assert "You logged in with a recovery code; 9 are left." in done.text
    assert audited(dbsession, "two_factor.recovery_code_used") == [f"user:{user.id}"]
    testapp.reset()
    assert WRONG in log_in_with_code(testapp, user, codes[3], status=400).text


def test_five_wrong_codes_lock_the_login(testapp, dbsession, clock):
    user = customer()
    login(testapp, user.login)
    set_up(testapp, dbsession, user, clock)
    testapp.reset()
    login(testapp, user.login)
    for _ in range(4):
        form = testapp.get("/two-factor").forms["two-factor"]
        form["code"] = "999999" if code(dbsession, user, clock) != "999999" else "888888"
        form.submit("submit", status=400)
    form = testapp.get("/two-factor").forms["two-factor"]
    form["code"] = "999999" if code(dbsession, user, clock) != "999999" else "888888"
    locked = form.submit("submit", status=303).follow()
    assert "Too many failed attempts for this login" in locked.text
    assert testapp.get("/two-factor", status=303).location == "http://localhost/login"  # the login ended
    dbsession.expire_all()
    assert dbsession.get(User, user.id).locked_until is not None
    login(testapp, user.login, PASSWORD, status=429)


def test_the_code_step_opens_only_while_a_login_is_half_done(testapp, dbsession, clock, monkeypatch):
    assert testapp.get("/two-factor", status=303).location == "http://localhost/login"
    user = customer()
    login(testapp, user.login)
    set_up(testapp, dbsession, user, clock)
    testapp.reset()
    before = sessions(dbsession, user)
    login(testapp, user.login)
    later = datetime.now(timezone.utc) + timedelta(minutes=11)
    monkeypatch.setattr("portal.identity.login_steps.utcnow", lambda: later)
    assert testapp.get("/two-factor", status=303).location == "http://localhost/login"
    token = testapp.get("/login").forms["login"]["csrf_token"].value
    expired = testapp.post("/two-factor", {"csrf_token": token, "code": code(dbsession, user, clock)}, status=303)
    assert "Your login took too long." in expired.follow().text
    assert sessions(dbsession, user) == before


def test_the_login_keeps_the_page_asked_for(testapp, dbsession, clock):
    user = customer()
    login(testapp, user.login)
    set_up(testapp, dbsession, user, clock)
    testapp.reset()
    clock.tick()
    login(testapp, user.login, next_url="/account/notices")
    form = testapp.get("/two-factor").forms["two-factor"]
    form["code"] = code(dbsession, user, clock)
    assert form.submit("submit", status=303).location == "http://localhost/account/notices"


def test_new_recovery_codes_take_a_code_and_replace_the_old(testapp, dbsession, clock):
    user = customer()
    login(testapp, user.login)
    old = set_up(testapp, dbsession, user, clock)
    clock.tick()
    form = testapp.get("/account/two-factor").forms["two-factor-code"]
    form["code"] = "12"
    assert WRONG in form.submit("submit", status=400).text
    form["code"] = code(dbsession, user, clock)
    fresh = [li.get_text() for li in form.submit("submit", status=200).html.select("#recovery-codes li")]
    assert len(fresh) == 10 and not set(fresh) & set(old)
    testapp.reset()
    assert WRONG in log_in_with_code(testapp, user, old[0], status=400).text
    log_in_with_code(testapp, user, fresh[0])


def test_turning_it_off_takes_the_current_password(testapp, dbsession, clock):
    user = customer()
    login(testapp, user.login)
    set_up(testapp, dbsession, user, clock)
    form = testapp.get("/account/two-factor").forms["two-factor-off"]
    form["current_password"] = "Wrong-password-1"
    assert "The current password is wrong." in form.submit("submit", status=400).text
    form["current_password"] = PASSWORD
    assert "Two-factor login is off." in form.submit("submit", status=303).follow().text
    dbsession.expire_all()
    assert not two_factor.is_enabled(dbsession.get(User, user.id))
    assert audited(dbsession, "two_factor.disable") == [f"user:{user.id}"]
    testapp.reset()
    assert login(testapp, user.login).location != "http://localhost/two-factor"


def test_the_account_forms_need_the_csrf_token(testapp, dbsession, clock):
    user = customer()
    login(testapp, user.login)
    for action in ("two-factor-start", "two-factor-code", "two-factor-off"):
        testapp.post(f"/account/{action}", {"code": "123456"}, status=400)
    dbsession.expire_all()
    assert dbsession.get(User, user.id).totp_secret is None


def test_staff_who_must_have_it_set_it_up_at_login_and_cannot_turn_it_off(testapp, app, dbsession, clock,
                                                                           monkeypatch):
    monkeypatch.setitem(app.registry.settings, two_factor.STAFF_REQUIRED_SETTING, "true")
    clerk = staff("backoffice")
    step = login(testapp, clerk.login)
    assert step.location == "http://localhost/two-factor" and sessions(dbsession, clerk) == 0
    page = testapp.get("/two-factor")
    assert "Staff log in with a second factor" in page.text and "<svg" in page.text
    form = page.forms["two-factor"]
    form["code"] = code(dbsession, clerk, clock)
    shown = form.submit("submit", status=200)
    assert len(shown.html.select("#recovery-codes li")) == 10
    assert sessions(dbsession, clerk) == 1  # logged in: the codes page leads on
    assert shown.click("Continue").status_int in (200, 303)
    page = testapp.get("/account/two-factor")
    assert "it cannot be turned off" in page.text and "two-factor-off" not in page.forms
    token = page.forms["two-factor-code"]["csrf_token"].value
    refused = testapp.post("/account/two-factor-off", {"csrf_token": token, "current_password": PASSWORD},
                           status=400)
    assert "it cannot be turned off" in refused.text
    dbsession.expire_all()
    assert two_factor.is_enabled(dbsession.get(User, clerk.id))
    # A customer is not asked for it.
    testapp.reset()
    assert login(testapp, customer().login).location != "http://localhost/two-factor"


def test_an_admin_turns_it_off_for_a_user_who_lost_the_phone(testapp, app, dbsession, clock):
    import webtest

    user = customer()
    login(testapp, user.login)
    set_up(testapp, dbsession, user, clock)
    admin = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(admin, staff("admin").login)
    page = admin.get(f"/admin/users/{user.id}/")
    assert "Two-factor login" in page.text
    done = page.forms["user-two-factor-off"].submit(status=303).follow()
    assert "Two-factor login is off for this user" in done.text and "user-two-factor-off" not in done.forms
    assert audited(dbsession, "two_factor.admin_disable") == [f"user:{user.id}"]
    testapp.reset()
    assert login(testapp, user.login).location != "http://localhost/two-factor"
