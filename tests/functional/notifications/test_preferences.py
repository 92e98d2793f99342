"""``/account/notifications``: each person's channel per kind, honoured by every notification (e-mail,
SMS, the in-portal notice only, nothing); ``/admin/notifications/``: the defaults of staff roles."""
import pytest
import webtest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.notifications.models import NotificationPreference, RoleNotificationDefault
from portal.outbox.models import OutboxMessage
from portal.requests.models import CustomerRequest
from portal.workflows.models import Notice
from tests.conftest import csrf_token, login
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff
from tests.functional.requests.test_requests import act, file_request


@pytest.fixture
def world(dbsession):
    group = StaffGroupFactory(name="Dispatch")
    party = PartyFactory(name="Chosen Co")
    return {
        "type": RequestTypeFactory(code="general", names={"en": "General", "ru": "Общий"}, group_id=group.id),
        "party": party, "group": group,
        "customer": customer(party, first_name="Olga", email="olga@chosen.test", phone="+79161234567"),
        "dispatcher": staff("service", group=group, last_name="Dispatcher", phone="+79160000000"),
        "admin": staff("admin", last_name="Admin"),
    }


def choose(testapp, **choices):
    form = testapp.get("/account/notifications").forms["notifications"]
    for name, value in choices.items():
        form[name] = value
    return form.submit("submit")


def assigned(testapp, app, world):
    """The customer files a request; the dispatcher assigns it (a move of the customer's item)."""
    login(testapp, world["customer"].login)
    file_request(testapp, world["party"], world["type"], subject="Leak")
    staff_app = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(staff_app, world["dispatcher"].login)
    return staff_app


def rows_to(dbsession, user):
    dbsession.flush()
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == user.id)
                             .order_by(OutboxMessage.id)).all()


def notices_to(dbsession, user):
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(Notice).where(Notice.user_id == user.id))


def test_the_page_shows_each_kind_with_its_channel_and_keeps_the_choice(testapp, dbsession, world):
    login(testapp, world["customer"].login)
    form = testapp.get("/account/notifications").forms["notifications"]
    assert {name: form[name].value for name in ("work", "messages", "account")} == {
        "work": "email", "messages": "email", "account": "email"}
    assert "news" not in form.fields  # new work is staff's
    assert [o[0] for o in form["work"].options] == ["email", "sms", "portal", "off"]
    assert "off" not in [o[0] for o in form["messages"].options]
    assert "Your choices are saved." in choose(testapp, work="sms", messages="portal").follow().text
    chosen = dbsession.execute(select(NotificationPreference.kind, NotificationPreference.channel).where(
        NotificationPreference.user_id == world["customer"].id)).all()
    assert dict(chosen) == {"work": "sms", "messages": "portal"}
    assert "Nothing has changed." in choose(testapp).follow().text


def test_a_move_reaches_the_customer_as_chosen(testapp, app, dbsession, world):
    user = world["customer"]
    cases = {"email": ("email", "olga@chosen.test", 1), "sms": ("sms", "+79161234567", 1),
             "portal": (None, None, 1), "off": (None, None, 0)}
    for channel, (outbox_channel, recipient, notices) in cases.items():
        dbsession.query(NotificationPreference).delete()
        dbsession.add(NotificationPreference(user_id=user.id, kind="work", channel=channel))
        staff_app = assigned(testapp, app, world)
        item = dbsession.scalars(select(CustomerRequest).order_by(CustomerRequest.id.desc())).first()
        before_rows, before_notices = len(rows_to(dbsession, user)), notices_to(dbsession, user)
        act(staff_app, f"/p/{world['party'].id}/requests/{item.id}/", "assign",
            assignee_id=str(world["dispatcher"].id))
        new = rows_to(dbsession, user)[before_rows:]
        assert [(r.channel, r.recipient) for r in new] == ([(outbox_channel, recipient)] if outbox_channel else []), channel
        assert notices_to(dbsession, user) - before_notices == notices, channel
        if outbox_channel == "sms":
            assert new[0].body == f"Request #{item.id} “Leak”: Assigned http://localhost:6543/p/{world['party'].id}/requests/{item.id}/"
        testapp.reset()


def test_sms_without_a_number_comes_by_e_mail(testapp, app, dbsession, world):
    user = world["customer"]
    user.phone = None
    dbsession.add(NotificationPreference(user_id=user.id, kind="work", channel="sms"))
    staff_app = assigned(testapp, app, world)
    item = dbsession.scalars(select(CustomerRequest)).one()
    act(staff_app, f"/p/{world['party'].id}/requests/{item.id}/", "assign", assignee_id=str(world["dispatcher"].id))
    assert [r.channel for r in rows_to(dbsession, user)] == ["email"]
    assert "No mobile number is on file for you" in testapp.get("/account/notifications").text


def test_a_role_default_applies_until_the_person_chooses(testapp, app, dbsession, world):
    login(testapp, world["admin"].login)
    form = testapp.get("/admin/notifications/").forms["notification-defaults"]
    fields = form.fields["news"]  # one select per role, the back office's first
    assert len(fields) == 5  # one per staff role
    for field in fields:
        field.value = ""
    fields[1].value = "sms"  # the service role (the order of identity's Role)
    assert "The defaults are saved." in form.submit("submit").follow().text
    assert dbsession.scalars(select(RoleNotificationDefault)).one().role == "service"
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "notifications.defaults")) == 1
    testapp.reset()
    login(testapp, world["customer"].login)
    file_request(testapp, world["party"], world["type"], subject="Night leak")
    [news] = rows_to(dbsession, world["dispatcher"])
    assert (news.channel, news.recipient) == ("sms", "+79160000000")
    dbsession.add(NotificationPreference(user_id=world["dispatcher"].id, kind="news", channel="email"))
    file_request(testapp, world["party"], world["type"], subject="Day leak")
    assert rows_to(dbsession, world["dispatcher"])[-1].channel == "email"


def test_the_choice_needs_the_csrf_token_and_a_known_channel(testapp, dbsession, world):
    login(testapp, world["customer"].login)
    testapp.post("/account/notifications", {"work": "off"}, status=400)
    answer = testapp.post("/account/notifications", {"csrf_token": csrf_token(testapp), "work": "fax",
                                                      "messages": "email", "account": "email"}, status=400)
    assert answer.html.select_one(".item-work .invalid-feedback")
    testapp.post("/account/notifications", {"csrf_token": csrf_token(testapp), "work": "email",
                                            "messages": "off", "account": "email"}, status=400)
    assert dbsession.scalar(select(func.count()).select_from(NotificationPreference)) == 0


@pytest.mark.parametrize("who", ["customer", "dispatcher"])
def test_only_admins_set_role_defaults(testapp, world, who):
    login(testapp, world[who].login)
    assert testapp.get("/admin/notifications/", status="*").status_int in (403, 404)
    assert testapp.post("/admin/notifications/", {"csrf_token": csrf_token(testapp)},
                        status="*").status_int in (403, 404)
