"""What goes into the audit log, with the right actor and data: logins (never a password), lockouts,
settings, staff exports of lists, and the values a change request's approval wrote on a party."""
import webtest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.parties.models import Party
from tests.conftest import PASSWORD, login
from tests.factories import PartyFactory, RequestTypeFactory, customer, staff
from tests.factories.changes import PARTY_VALUES, change_request
from tests.factories.workflow_items import CustomerRequestFactory

WRONG = "Wrong-password-77"


def entries(dbsession, prefix=""):
    dbsession.flush()
    return dbsession.scalars(
        select(AuditEntry).where(AuditEntry.action.startswith(prefix)).order_by(AuditEntry.id)).all()


def browser(app, testapp, user):
    b = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(b, user.login)
    return b


# --- logins -----------------------------------------------------------------------------------------
def test_a_login_writes_one_entry_naming_the_user_as_actor(testapp, dbsession):
    user = customer()
    login(testapp, user.login)
    (entry,) = entries(dbsession, "login.")
    assert (entry.action, entry.actor_id, entry.target, entry.ip) == (
        "login.success", user.id, f"user:{user.id}", "192.0.2.10")
    assert entry.detail == {}


def test_a_failed_login_records_the_login_typed_and_never_the_password(testapp, dbsession):
    user = customer()
    login(testapp, "  " + user.login.upper(), WRONG, status=400)
    login(testapp, "nobody-such", WRONG, status=400)
    known, unknown = entries(dbsession, "login.")
    assert (known.action, known.actor_id, known.target, known.detail) == (
        "login.failure", None, f"user:{user.id}", {"login": user.login})
    assert (unknown.action, unknown.actor_id, unknown.target, unknown.detail) == (
        "login.failure", None, "", {"login": "nobody-such"})
    everything = [str((e.action, e.target, e.detail)) for e in entries(dbsession)]
    assert not any(WRONG in text or PASSWORD in text for text in everything)


def test_the_failure_that_locks_a_login_is_one_lockout_entry_and_refused_attempts_write_none(testapp, dbsession):
    user = customer()
    for _ in range(4):
        login(testapp, user.login, WRONG, status=400)
    login(testapp, user.login, WRONG, status=429)
    assert [e.action for e in entries(dbsession, "login.")] == ["login.failure"] * 4 + ["login.lockout"]
    lockout = entries(dbsession, "login.lockout")[0]
    assert lockout.target == f"user:{user.id}" and lockout.detail == {"login": user.login, "minutes": 15}
    # While it is locked, even the right password is refused, and nobody can fill the log with tries.
    login(testapp, user.login, PASSWORD, status=429)
    login(testapp, user.login, WRONG, status=429)
    assert len(entries(dbsession, "login.")) == 5


# --- settings -----------------------------------------------------------------------------------------
def test_a_settings_change_names_the_admin_and_what_changed(testapp, dbsession):
    admin = staff("admin")
    login(testapp, admin.login)
    form = testapp.get("/admin/sla/").forms["sla"]
    form.set("resolve_hours", "5", index=0)  # the first priority: low
    form.submit("submit", status=303)
    (entry,) = entries(dbsession, "sla.")
    assert (entry.actor_id, entry.target) == (admin.id, "sla")
    assert entry.detail["changes"]["low"][1][0] == 5


# --- exports of lists by staff ------------------------------------------------------------------------
def test_a_staff_export_writes_one_entry_naming_the_list_and_its_filters(testapp, dbsession):
    party = PartyFactory(name="Exported Co")
    general = RequestTypeFactory()
    CustomerRequestFactory(party=party, type=general, subject="Exported one")
    clerk = staff("backoffice")
    login(testapp, clerk.login)
    response = testapp.get(f"/p/{party.id}/requests/export.xlsx?type={general.id}&sort=subject&bogus=1")
    assert response.content_type.startswith("application/vnd.openxmlformats")
    (entry,) = entries(dbsession, "list.")
    assert (entry.action, entry.actor_id, entry.target) == ("list.export", clerk.id, "list:requests")
    assert entry.detail == {"list": "Requests", "path": f"/p/{party.id}/requests/",
                            "filters": {"type": str(general.id)}, "q": None, "sort": "subject"}
    # Looking at the list is not taking it out of the portal.
    testapp.get(f"/p/{party.id}/requests/")
    assert len(entries(dbsession, "list.")) == 1


def test_a_customers_export_of_its_own_data_is_not_audited(testapp, dbsession):
    party = PartyFactory()
    login(testapp, customer(party).login)
    testapp.get(f"/p/{party.id}/requests/export.xlsx")
    assert entries(dbsession, "list.") == []


def test_the_audit_logs_own_export_lists_what_was_there_before_it(testapp, dbsession):
    admin = staff("admin")
    login(testapp, admin.login)
    first = testapp.get("/admin/audit/export.xlsx")
    second = testapp.get("/admin/audit/export.xlsx")
    assert first.body != second.body  # the second lists the first export
    assert [e.target for e in entries(dbsession, "list.")] == ["list:audit-log", "list:audit-log"]


# --- change requests ---------------------------------------------------------------------------------
def test_an_approval_writes_the_values_it_changed_old_and_new(app, testapp, dbsession):
    party = PartyFactory(name="Approved Co", **PARTY_VALUES)
    author = customer(party)
    item = change_request(dbsession, party, author, {"email": "new@party.test", "phone": PARTY_VALUES["phone"]})
    clerk = staff("backoffice")
    b = browser(app, testapp, clerk)
    page = b.get(f"/p/{party.id}/changes/{item.id}/")
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == "approve")
    form.submit(status=303)
    dbsession.flush()
    assert dbsession.get(Party, party.id).email == "new@party.test"
    (entry,) = entries(dbsession, "change_request.")
    assert (entry.action, entry.actor_id, entry.target) == ("change_request.apply", clerk.id, f"party:{party.id}")
    # Only what really changed: the phone was asked for as it already was.
    assert entry.detail == {"change_request": item.id,
                            "changes": {"email": [PARTY_VALUES["email"], "new@party.test"]}}


def test_a_rejection_writes_the_reason_and_what_was_asked(app, testapp, dbsession):
    party = PartyFactory(**PARTY_VALUES)
    item = change_request(dbsession, party, customer(party), {"contact_person": "Someone Else"})
    clerk = staff("backoffice")
    b = browser(app, testapp, clerk)
    page = b.get(f"/p/{party.id}/changes/{item.id}/")
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == "reject")
    form["comment"] = "Not signed by the director."
    form.submit(status=303)
    (entry,) = entries(dbsession, "change_request.")
    assert (entry.action, entry.actor_id, entry.target) == ("change_request.reject", clerk.id, f"party:{party.id}")
    assert entry.detail == {"change_request": item.id, "reason": "Not signed by the director.",
                            "requested": {"contact_person": "Someone Else"}}
    assert dbsession.get(Party, party.id).contact_person == PARTY_VALUES["contact_person"]


def test_a_refused_approval_writes_nothing(app, testapp, dbsession):
    party = PartyFactory(**PARTY_VALUES)
    item = change_request(dbsession, party, customer(party), {"email": "late@party.test"})
    clerk = staff("backoffice")
    b = browser(app, testapp, clerk)
    page = b.get(f"/p/{party.id}/changes/{item.id}/")
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == "approve")
    form["version"] = str(item.version + 7)  # somebody else decided meanwhile
    form.submit(status=303)
    assert entries(dbsession, "change_request.") == []
