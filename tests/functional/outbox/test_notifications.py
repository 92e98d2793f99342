"""E-mail notices through HTTP: written with the move, in the recipient's language, only to those who want them;
the admin's outbox page and who may reach it. (The choice per kind and channel: tests/functional/notifications.)"""
import pytest
import webtest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.notifications.models import NotificationPreference
from portal.outbox.models import OutboxMessage, OutboxState
from portal.requests.models import CustomerRequest
from tests.conftest import csrf_token, login
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff
from tests.functional.requests.test_requests import act, file_request


@pytest.fixture
def world(dbsession):
    group = StaffGroupFactory(name="Dispatch")
    party = PartyFactory(name="Noticed Co")
    return {
        "type": RequestTypeFactory(code="general", names={"en": "General", "ru": "Общий"}, group_id=group.id),
        "party": party,
        "customer": customer(party, first_name="Olga", last_name="Petrova", email="olga@noticed.test"),
        "dispatcher": staff("service", group=group, last_name="Dispatcher"),
        "admin": staff("admin", last_name="Admin"),
    }


def outbox(dbsession):
    dbsession.flush()
    return dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()


def mails_to(dbsession, user):
    """The outbox rows written for ``user`` (filing a request also writes the staff's news of it)."""
    return [m for m in outbox(dbsession) if m.user_id == user.id]


def filed_and_assigned(testapp, app, dbsession, world):
    login(testapp, world["customer"].login)
    file_request(testapp, world["party"], world["type"], subject="Meter is broken")
    item = dbsession.scalars(select(CustomerRequest)).one()
    url = f"/p/{world['party'].id}/requests/{item.id}/"
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, world["dispatcher"].login)
    act(staff_app, url, "assign", assignee_id=str(world["dispatcher"].id))
    return item, url, staff_app


def test_the_author_gets_an_e_mail_when_staff_moves_the_request(testapp, app, dbsession, world):
    item, url, staff_app = filed_and_assigned(testapp, app, dbsession, world)
    # Filing it wrote the author nothing (she made that move herself); the assignment wrote one.
    [mail] = mails_to(dbsession, world["customer"])
    assert (mail.recipient, mail.user_id, mail.party_id, mail.state) == (
        "olga@noticed.test", world["customer"].id, world["party"].id, OutboxState.pending)
    assert mail.topic == "request.assign"
    assert mail.subject == f"Request #{item.id} “Meter is broken”: Assigned"
    assert "Hello, Olga." in mail.body  # an English letter greets by the first name
    assert f"moved Request #{item.id} “Meter is broken” to the state “Assigned”." in mail.body
    assert f"http://localhost:6543/p/{world['party'].id}/requests/{item.id}/" in mail.body
    act(staff_app, url, "start")
    act(staff_app, url, "ask_customer", comment="Which meter?\nThe hall or the basement?")
    last = mails_to(dbsession, world["customer"])[-1]
    assert "Comment:\nWhich meter?\nThe hall or the basement?" in last.body


def test_the_e_mail_speaks_the_recipients_language(testapp, app, dbsession, world):
    world["customer"].language = "ru"
    item, _url, _staff = filed_and_assigned(testapp, app, dbsession, world)
    [mail] = mails_to(dbsession, world["customer"])
    assert mail.subject == f"Обращение № {item.id} «Meter is broken»: Назначено"
    assert "Здравствуйте, Olga." in mail.body


def test_a_russian_e_mail_greets_by_first_name_and_patronymic(testapp, app, dbsession, world):
    person = world["customer"]
    person.language, person.last_name, person.first_name, person.middle_name = "ru", "Петров", "Сергей", "Петрович"
    item, _url, _staff = filed_and_assigned(testapp, app, dbsession, world)
    [mail] = mails_to(dbsession, person)
    assert mail.body.startswith("Здравствуйте, Сергей Петрович.\n")
    person.language = "en"
    act(_staff, _url, "start")
    assert mails_to(dbsession, person)[-1].body.startswith("Hello, Сергей.\n")


def test_no_e_mail_for_those_who_want_them_in_the_portal_only_or_have_no_address(testapp, app, dbsession, world):
    quiet = NotificationPreference(user_id=world["customer"].id, kind="work", channel="portal")
    for change in ({"preference": quiet}, {"email": None}, {"email": ""}):
        if "preference" in change:
            dbsession.add(change["preference"])
        else:
            world["customer"].email = change["email"]
        filed_and_assigned(testapp, app, dbsession, world)
        assert mails_to(dbsession, world["customer"]) == [], change
        dbsession.query(CustomerRequest).delete()
        dbsession.query(NotificationPreference).delete()
        world["customer"].email = "olga@noticed.test"
        testapp.reset()


def test_a_refused_move_writes_no_e_mail(testapp, app, dbsession, world):
    item, url, staff_app = filed_and_assigned(testapp, app, dbsession, world)
    act(staff_app, url, "start")
    before = len(outbox(dbsession))
    # "Ask the customer" needs a comment: the form error changes nothing, so nothing is written.
    response = act(staff_app, url, "ask_customer", status="*", comment="")
    assert response.status_int in (303, 400)
    assert len(outbox(dbsession)) == before
    assert dbsession.get(CustomerRequest, item.id).state == "in_progress"


def make_mail(dbsession, n, state=OutboxState.pending, **kw):
    rows = [OutboxMessage(recipient=f"r{i}@example.test", subject=f"Subject {i}", body="b", state=state, **kw)
            for i in range(n)]
    dbsession.add_all(rows)
    dbsession.flush()
    return rows


def test_the_admin_sees_the_outbox_filters_it_and_sends_failed_mail_again(testapp, dbsession, world):
    make_mail(dbsession, 2)
    failed = make_mail(dbsession, 3, state=OutboxState.failed, attempts=8, last_error="SMTPRecipientsRefused: <b>no</b>")
    login(testapp, world["admin"].login)
    page = testapp.get("/admin/outbox/")
    assert page.text.count("@example.test") == 5
    assert "&lt;b&gt;no&lt;/b&gt;" in page.text and "<b>no</b>" not in page.text
    page = testapp.get("/admin/outbox/", {"state": "failed"})
    assert page.text.count("@example.test") == 3
    assert testapp.get("/admin/outbox/", {"q": "r1@"}).text.count("@example.test") == 2  # one pending, one failed
    export = testapp.get("/admin/outbox/export.xlsx", {"state": "failed"})
    assert export.content_type == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    # One, then all the rest.
    form = next(f for f in page.forms.values() if f.fields.get("id"))
    one_id = int(form["id"].value)
    assert "1 e-mail(s) will be sent again." in form.submit().follow().text
    dbsession.expire_all()
    assert dbsession.get(OutboxMessage, one_id).state == OutboxState.pending
    page = testapp.get("/admin/outbox/")
    form = next(f for f in page.forms.values() if f.action.endswith("/retry") and "id" not in f.fields)
    assert "2 e-mail(s) will be sent again." in form.submit().follow().text
    dbsession.expire_all()
    assert {dbsession.get(OutboxMessage, m.id).state for m in failed} == {OutboxState.pending}
    assert {dbsession.get(OutboxMessage, m.id).attempts for m in failed} == {0}
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "outbox.retry")) == 2


def test_bad_retry_posts_change_nothing(testapp, dbsession, world):
    [row] = make_mail(dbsession, 1, state=OutboxState.failed)
    login(testapp, world["admin"].login)
    token = csrf_token(testapp)
    testapp.post("/admin/outbox/retry", {"csrf_token": token, "id": "abc"}, status=400)
    testapp.post("/admin/outbox/retry", {"csrf_token": token, "id": "-1"}, status=400)
    testapp.post("/admin/outbox/retry", {"id": str(row.id)}, status=400)  # no CSRF token
    dbsession.expire_all()
    assert dbsession.get(OutboxMessage, row.id).state == OutboxState.failed


def test_the_empty_outbox_says_what_fills_it(testapp, world):
    login(testapp, world["admin"].login)
    assert "There are no e-mails here." in testapp.get("/admin/outbox/").text


@pytest.mark.parametrize("who", ["customer", "dispatcher"])
def test_only_admins_reach_the_outbox(testapp, world, who):
    login(testapp, world[who].login)
    for url in ("/admin/outbox/", "/admin/outbox/export.xlsx"):
        assert testapp.get(url, status="*").status_int in (403, 404)
    assert testapp.post("/admin/outbox/retry", {"csrf_token": csrf_token(testapp)}, status="*").status_int in (403, 404)


def test_anonymous_visitors_are_sent_to_log_in(testapp):
    response = testapp.get("/admin/outbox/", status="*")
    assert response.status_int in (302, 303) and "/login" in response.location


def test_a_customer_who_left_the_party_gets_no_e_mail_about_its_items(testapp, app, dbsession, world):
    from portal.parties.models import Membership

    login(testapp, world["customer"].login)
    file_request(testapp, world["party"], world["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    dbsession.scalars(select(Membership).where(Membership.user_id == world["customer"].id)).one().state = "revoked"
    dbsession.flush()
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, world["dispatcher"].login)
    act(staff_app, f"/p/{world['party'].id}/requests/{item.id}/", "assign", assignee_id=str(world["dispatcher"].id))
    assert mails_to(dbsession, world["customer"]) == []


def test_a_subject_with_line_breaks_stays_on_one_line(testapp, app, dbsession, world):
    login(testapp, world["customer"].login)
    file_request(testapp, world["party"], world["type"])
    item = dbsession.scalars(select(CustomerRequest)).one()
    item.subject = "Broken\r\nBcc: everyone@example.test"
    dbsession.flush()
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, world["dispatcher"].login)
    act(staff_app, f"/p/{world['party'].id}/requests/{item.id}/", "assign", assignee_id=str(world["dispatcher"].id))
    [mail] = mails_to(dbsession, world["customer"])
    assert "\n" not in mail.subject and "\r" not in mail.subject
    assert "“Broken Bcc: everyone@example.test”" in mail.subject


def test_the_admin_navigation_leads_to_the_outbox(testapp, world):
    login(testapp, world["admin"].login)
    page = testapp.get("/account/")
    assert 'href="http://localhost/admin/outbox/"' in page.text
    login_page = testapp.get("/admin/outbox/")
    assert 'aria-current="page"' in login_page.text
