"""Logging in by e-mail address or phone number, and the temporary password an admin issues: shown
once, and replaced before the login session starts."""
import re

import pytest
import webtest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.identity.models import AuthSession, User
from tests.conftest import PASSWORD, csrf_token, login
from tests.factories import PartyFactory, customer, staff

GENERIC = "Wrong login or password"
NEW = "My-own-secret-77"


def test_a_user_logs_in_by_e_mail_address_or_phone_number(testapp):
    party = PartyFactory()
    user = customer(party, email="Courier@Example.test", phone="+7 423 240-10-10")
    for typed in ("courier@example.TEST", "+7 423 240-10-10", "+7 (423) 240 10 10", "74232401010"):
        assert login(testapp, typed).location.endswith(f"/p/{party.id}"), typed
        testapp.reset()
    assert GENERIC in login(testapp, "4232401010", status=400).text  # not the same number
    assert GENERIC in login(testapp, "other@example.test", status=400).text
    assert GENERIC in login(testapp, user.email, "Wrong-password-1", status=400).text


def test_an_address_or_number_shared_by_two_logins_names_neither(testapp):
    first = customer(email="shared@example.test", phone="+7 900 000-00-01")
    customer(email="shared@example.test", phone="+7 900 000-00-01")
    assert GENERIC in login(testapp, "shared@example.test", status=400).text
    assert GENERIC in login(testapp, "+79000000001", status=400).text
    login(testapp, first.login)  # the login name still works


def test_failures_by_e_mail_lock_the_users_login(testapp, dbsession):
    user = customer(email="target@example.test")
    for _ in range(4):
        login(testapp, "target@example.test", "Wrong-password-1", status=400)
    assert "it is locked for now" in login(testapp, user.login, "Wrong-password-1", status=429).text
    assert "it is locked for now" in login(testapp, "target@example.test", PASSWORD, status=429).text
    failures = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "login.failure")).all()
    assert {e.detail["login"] for e in failures} == {"target@example.test"}  # the audit keeps what was typed
    assert {e.target for e in failures} == {f"user:{user.id}"}


@pytest.fixture
def admin(app, testapp):
    browser = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(browser, staff("admin").login)
    return browser


def issue_temporary_password(admin, user) -> str:
    page = admin.get(f"/admin/users/{user.id}/").forms["user-temporary-password"].submit(status=200)
    assert "shown only now" in page.text
    return page.html.select_one("#temporary-password").get_text()


def test_a_temporary_password_must_be_replaced_at_the_next_login(testapp, admin, dbsession):
    party = PartyFactory()
    user = customer(party)
    login(testapp, user.login)
    password = issue_temporary_password(admin, user)
    assert re.fullmatch(r"[a-z2-9]{4}-[a-z2-9]{4}-[a-z2-9]{4}", password)
    assert dbsession.get(User, user.id).must_change_password
    assert testapp.get("/account/", status=303)  # the user's sessions ended
    assert "temporary: to be changed at the next login" in admin.get(f"/admin/users/{user.id}/").text
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "user.temporary_password")).one()
    assert entry.target == f"user:{user.id}" and password not in str(entry.detail)
    testapp.reset()
    login(testapp, user.login, PASSWORD, status=400)
    step = login(testapp, user.login, password)
    assert step.location == "http://localhost/new-password"
    assert dbsession.scalar(select(func.count()).select_from(AuthSession).where(AuthSession.user_id == user.id)) == 0
    assert testapp.get("/account/", status=303).location.startswith("http://localhost/login")
    form = testapp.get("/new-password").forms["new-password"]
    form["new_password"] = form["confirmation"] = password
    assert "not the temporary one" in form.submit("submit", status=400).text
    form["new_password"] = form["confirmation"] = "weak"
    assert "at least 10 characters" in form.submit("submit", status=400).text
    form["new_password"] = form["confirmation"] = NEW
    assert form.submit("submit", status=303).location.endswith(f"/p/{party.id}")
    assert testapp.get("/account/").status_int == 200
    dbsession.expire_all()
    assert not dbsession.get(User, user.id).must_change_password
    testapp.reset()
    login(testapp, user.login, password, status=400)
    assert login(testapp, user.login, NEW).location.endswith(f"/p/{party.id}")


def test_the_new_password_step_opens_only_for_a_temporary_password(testapp):
    assert testapp.get("/new-password", status=303).location == "http://localhost/login"
    login(testapp, customer().login)
    assert testapp.get("/new-password", status=303).location == "http://localhost/login"


def test_only_those_who_administer_users_issue_temporary_passwords(testapp, dbsession, admin):
    user = customer()
    admin.post(f"/admin/users/{user.id}/temporary-password", {}, status=400)  # no CSRF token
    admin.post(f"/admin/users/{user.id}/temporary-password", {"csrf_token": "forged"}, status=400)
    for who in (customer(), customer(PartyFactory()), staff("service")):
        testapp.reset()
        login(testapp, who.login)
        response = testapp.post(f"/admin/users/{user.id}/temporary-password", {"csrf_token": csrf_token(testapp)},
                                status="*")
        assert response.status_int in (403, 404), who.login
    dbsession.expire_all()
    assert not dbsession.get(User, user.id).must_change_password


def test_an_admin_cannot_issue_a_temporary_password_to_themselves(admin, dbsession):
    me = dbsession.scalars(select(User).join(AuthSession)).first()
    page = admin.get(f"/admin/users/{me.id}/").forms["user-temporary-password"].submit(status=303).follow()
    assert "Change your own password on your account page." in page.text
    assert not me.must_change_password


def test_a_password_changed_meanwhile_ends_the_half_done_login(testapp, admin):
    user = customer()
    first = issue_temporary_password(admin, user)
    assert login(testapp, user.login, first).location == "http://localhost/new-password"
    assert testapp.get("/new-password").status_int == 200
    issue_temporary_password(admin, user)  # e.g. staff gave the real user another one
    assert testapp.get("/new-password", status=303).location == "http://localhost/login"
