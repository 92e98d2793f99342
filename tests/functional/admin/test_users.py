"""An admin lists users, sets passwords, blocks and unblocks; all of it audited."""
import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.identity.models import User
from tests.conftest import PASSWORD, login
from tests.factories import customer, staff


@pytest.fixture
def admin_app(testapp):
    login(testapp, staff("admin", login="root-admin").login)
    return testapp


def test_user_list_searches_and_sorts(admin_app):
    customer(login="alice", last_name="Zimina")
    customer(login="bob", last_name="Abramov")
    page = admin_app.get("/admin/users/?q=ali")
    assert "alice" in page.text and "bob" not in page.text
    by_name = admin_app.get("/admin/users/?sort=name")
    logins = [a.text for a in by_name.html.select("table.list tbody a")]
    assert logins.index("bob") < logins.index("alice")


def test_admin_sets_a_password_and_unlocks(admin_app, dbsession):
    user = customer(failed_logins=3)
    page = admin_app.get(f"/admin/users/{user.id}/")
    form = page.forms["set-password"]
    form["new_password"] = form["confirmation"] = "Set-by-admin-99"
    done = form.submit("submit", status=303).follow()
    assert "The password has been set" in done.text
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "user.set_password")).one()
    assert entry.target == f"user:{user.id}"
    audit = admin_app.get("/admin/audit")
    assert "user.set_password" in audit.text and "root-admin" in audit.text
    admin_app.reset()
    login(admin_app, user.login, "Set-by-admin-99")


def test_admin_password_form_rejects_weak_password(admin_app):
    user = customer()
    form = admin_app.get(f"/admin/users/{user.id}/").forms["set-password"]
    form["new_password"] = form["confirmation"] = "weak"
    assert "at least 10 characters" in form.submit("submit", status=400).text


def test_block_ends_sessions_and_unblock_restores(admin_app, app, dbsession):
    import webtest

    user = customer()
    victim = webtest.TestApp(app, extra_environ=dict(admin_app.extra_environ))
    login(victim, user.login)
    page = admin_app.get(f"/admin/users/{user.id}/")
    page.forms["user-state"].submit(status=303)
    dbsession.flush()
    assert dbsession.get(User, user.id).state == "blocked"
    victim.get("/account/", status=303)
    login(victim, user.login, PASSWORD, status=400)
    page = admin_app.get(f"/admin/users/{user.id}/")
    page.forms["user-state"].submit(status=303)
    login(victim, user.login, PASSWORD)


def test_admin_cannot_block_self(admin_app, dbsession):
    me = dbsession.scalars(select(User).where(User.login == "root-admin")).one()
    token = admin_app.get("/account/").forms[0]["csrf_token"].value
    page = admin_app.post(f"/admin/users/{me.id}/block", {"csrf_token": token}, status=303).follow()
    assert "You cannot block yourself." in page.text


@pytest.mark.parametrize("role", ["service", "manager", "head"])
def test_other_staff_cannot_administer(testapp, role):
    user = customer()
    login(testapp, staff(role).login)
    testapp.get("/admin/users/", status=403)
    testapp.get(f"/admin/users/{user.id}/", status=403)
    testapp.get("/admin/audit", status=403)


def test_the_back_office_administers_customers_users_only(testapp, dbsession):
    user, colleague = customer(login="bo-customer"), staff("service", login="bo-colleague")
    login(testapp, staff("backoffice").login)
    listing = testapp.get("/admin/users/?q=bo-")
    assert "bo-customer" in listing.text and "bo-colleague" not in listing.text
    page = testapp.get(f"/admin/users/{user.id}/")
    assert "user-roles" not in page.forms  # staff roles are given by administrators only
    testapp.get(f"/admin/users/{colleague.id}/", status=403)
    token = page.forms["add-party"]["csrf_token"].value
    testapp.post(f"/admin/users/{colleague.id}/block", {"csrf_token": token}, status=403)
    testapp.post(f"/admin/users/{user.id}/roles", {"csrf_token": token, "submit": "submit"}, status=403)
    testapp.get("/admin/audit", status=403)
    testapp.get("/admin/request-types/", status=403)
    dbsession.flush()
    assert dbsession.get(User, colleague.id).state == "active" and dbsession.get(User, user.id).roles == []


def test_unknown_user_id_is_404(admin_app):
    admin_app.get("/admin/users/999999/", status=404)
    admin_app.get("/admin/users/abc/", status=404)


def test_searching_keeps_the_chosen_sort(admin_app):
    page = admin_app.get("/admin/users/?sort=-login")
    form = next(f for f in page.forms.values() if "q" in f.fields)
    assert form["sort"].value == "-login"


def test_a_list_page_writes_its_sort_links_in_the_users_language(admin_app):
    page = admin_app.get("/admin/users/?sort=-login&page=2", headers={"Accept-Language": "ru"})
    titles = {a.text: (a["href"], a["class"]) for a in page.html.select("table.list thead a")}
    assert titles["Логин"] == ("http://localhost/admin/users/?sort=login&page=1", ["sort", "sorted", "desc"])
    assert titles["Наименование"] == ("http://localhost/admin/users/?sort=name&page=1", ["sort"])
