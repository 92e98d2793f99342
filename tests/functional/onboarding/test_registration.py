"""Self-registration through HTTP: the form, the e-mail's link, the SMS code, the end; an address in use
answered alike (its owner told); bad input, wrong codes and their limits changing nothing they should not."""
import re

import pytest
import webtest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.identity.models import User
from portal.onboarding.models import MembershipRequest, Registration, SmsCode
from portal.outbox.models import OutboxMessage
from tests.conftest import TEST_SETTINGS, login
from tests.factories import PartyFactory, UserFactory, customer

PASSWORD = "Registered-2026"
LINK = re.compile(r"http://localhost:6543(/register/confirm\?token=\S+)")
CODE = re.compile(r"(\d{6})")


def fill(testapp, **values):
    page = testapp.get("/register")
    form = page.forms["register"]
    fields = {"last_name": "Морозова", "first_name": "Анна", "email": "anna@yug.test", "phone": "+7 918 555-01-01",
              "password": PASSWORD, "confirmation": PASSWORD, "company_name": "Yug Vodokanal",
              "tax_id": "2310000005"}
    fields.update(values)
    for name, value in fields.items():
        form[name] = value
    return form.submit("submit", status="*")


def mails(dbsession, channel="email"):
    dbsession.flush()
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.channel == channel)
                             .order_by(OutboxMessage.id)).all()


def link_of(dbsession) -> str:
    [path] = LINK.findall(mails(dbsession)[-1].body)
    return path


def code_of(dbsession) -> str:
    [code] = CODE.findall(mails(dbsession, "sms")[-1].body)
    return code


def confirm(testapp, path):
    page = testapp.get(path)
    return page.forms["confirm-email"].submit("submit")


def enter_code(testapp, code, status="*"):
    form = testapp.get("/register/phone").forms["phone-code"]
    form["code"] = code
    return form.submit("submit", status=status)


def user_of(dbsession, email="anna@yug.test") -> User:
    dbsession.flush()
    return dbsession.scalars(select(User).where(User.email == email)).one()


def test_a_person_registers_confirms_the_address_and_the_phone_and_then_waits_for_the_back_office(testapp, dbsession):
    answer = fill(testapp)
    assert answer.status_int == 303 and answer.location.endswith("/register/sent")
    assert "We sent an e-mail to anna@yug.test." in " ".join(answer.follow().html.select_one("#registration-sent")
                                                            .text.split())
    user = user_of(dbsession)
    assert (user.login, user.phone, user.last_name, user.password_hash) == ("anna@yug.test", "+79185550101",
                                                                          "Морозова", None)
    [request] = dbsession.scalars(select(MembershipRequest).where(MembershipRequest.user_id == user.id)).all()
    assert (request.company_name, request.tax_id, request.state) == ("Yug Vodokanal", "2310000005", "unconfirmed")
    [mail] = mails(dbsession)
    assert (mail.recipient, mail.subject) == ("anna@yug.test", "Confirm your e-mail address for the customer portal")
    assert "Hello, Анна." in mail.body and "for Yug Vodokanal" in mail.body
    # Not a login yet: the password waits on the registration.
    login(testapp, "anna@yug.test", PASSWORD, status=400)
    path = link_of(dbsession)
    testapp.get(path)  # a link scanner's GET confirms nothing
    assert dbsession.get(Registration, user.id).email_confirmed_at is None
    assert confirm(testapp, path).location.endswith("/register/phone")
    [sms] = mails(dbsession, "sms")
    assert (sms.recipient, sms.user_id, sms.topic) == ("+79185550101", user.id, "registration.phone_code")
    assert "Your code for the customer portal:" in sms.body
    page = testapp.get("/register/phone")
    assert "+7••••••••01" in page.text and "79185550101" not in page.text
    wrong = "000000" if code_of(dbsession) != "000000" else "111111"
    answer = enter_code(testapp, wrong)
    assert answer.status_int == 400 and "The code is wrong: 4 more tries with this code." in answer.text
    answer = enter_code(testapp, code_of(dbsession))
    assert answer.location.endswith("/register/done")
    dbsession.expire_all()
    registration = dbsession.get(Registration, user.id)
    assert registration.completed_at is not None and registration.phone_confirmed_at is not None
    assert registration.password_hash is None and user_of(dbsession).password_hash is not None
    assert dbsession.get(MembershipRequest, request.id).state == "requested"
    testapp.reset()
    login(testapp, "anna@yug.test", PASSWORD)
    assert "/register/confirm" not in testapp.get("/p/").text  # logged in, with no party yet
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action.in_(("registration.new", "registration.complete")))) == 2


def test_an_address_in_use_gets_the_same_answer_and_its_owner_an_e_mail(testapp, dbsession):
    owner = customer(PartyFactory(), login="olga", email="Olga@Owned.test", first_name="Olga")
    users_before = dbsession.scalar(select(func.count()).select_from(User))
    answer = fill(testapp, email="olga@owned.test")
    assert answer.status_int == 303 and answer.location.endswith("/register/sent")
    assert "We sent an e-mail to olga@owned.test." in " ".join(answer.follow().html.select_one("#registration-sent")
                                                              .text.split())
    assert dbsession.scalar(select(func.count()).select_from(User)) == users_before
    [mail] = mails(dbsession)
    assert (mail.recipient, mail.user_id) == ("Olga@Owned.test", owner.id)
    assert mail.subject == "Someone tried to register with your e-mail address"
    assert "It already belongs to your login “olga”" in mail.body and "/register/confirm" not in mail.body
    # A login that is the address counts as the address's owner too.
    UserFactory(login="boss@owned.test", email=None)
    fill(testapp, email="boss@owned.test")
    assert dbsession.scalar(select(func.count()).select_from(User)) == users_before + 1
    assert len(mails(dbsession)) == 1  # an owner without an address is told nothing


def test_registering_again_before_confirming_sends_a_fresh_link_and_the_old_one_dies(testapp, dbsession):
    fill(testapp)
    first = link_of(dbsession)
    fill(testapp, last_name="Someone Else", phone="+7 999 000-00-00")
    second = link_of(dbsession)
    assert first != second and len(mails(dbsession)) == 2
    user = user_of(dbsession)
    assert (user.last_name, user.phone) == ("Морозова", "+79185550101")  # the second form changed nothing
    assert testapp.get(first, status=400).html.select_one(".alert-danger") is not None
    assert confirm(testapp, second).location.endswith("/register/phone")


@pytest.mark.parametrize("values, field", [
    ({"phone": "8 918 555 01 01"}, "phone"),
    ({"phone": "+7 12"}, "phone"),
    ({"confirmation": "Other-password-1"}, "confirmation"),
    ({"password": "short", "confirmation": "short"}, "password"),
    ({"tax_id": "", "customer_number": ""}, "tax_id"),
    ({"email": "not-an-address"}, "email"),
    ({"email": "a" * 60 + "@x.test"}, "email"),
    ({"last_name": "   "}, "last_name"),
    ({"company_name": "x" * 300}, "company_name"),
])
def test_bad_input_is_refused_with_a_message_and_nothing_is_made(testapp, dbsession, values, field):
    users_before = dbsession.scalar(select(func.count()).select_from(User))
    answer = fill(testapp, **values)
    assert answer.status_int == 400
    item = answer.html.select_one(f".item-{field}")
    assert item.select_one(".invalid-feedback").text.strip(), (field, answer.html.select(".invalid-feedback"))
    dbsession.flush()
    assert dbsession.scalar(select(func.count()).select_from(User)) == users_before
    assert mails(dbsession) == []


def test_a_customer_number_alone_names_the_company(testapp, dbsession):
    assert fill(testapp, tax_id="", customer_number="DEMO-YUG").status_int == 303
    request = dbsession.scalars(select(MembershipRequest)).one()
    assert (request.tax_id, request.customer_number) == (None, "DEMO-YUG")


def test_registrations_from_one_address_are_limited(testapp, dbsession):
    for n in range(10):
        assert fill(testapp, email=f"person{n}@many.test").status_int == 303
    answer = fill(testapp, email="eleventh@many.test")
    assert answer.status_int == 429 and "Too many registrations from your address" in answer.text
    assert answer.headers["Retry-After"]
    assert dbsession.scalar(select(func.count()).select_from(User).where(User.email == "eleventh@many.test")) == 0
    assert 'value="eleventh@many.test"' in answer.text and PASSWORD not in answer.text


def test_five_wrong_codes_end_the_code_and_a_new_one_comes(testapp, dbsession):
    fill(testapp)
    confirm(testapp, link_of(dbsession))
    first = code_of(dbsession)
    wrong = "000000" if first != "000000" else "111111"
    for left in (4, 3, 2, 1):
        assert f"{left} more tries" in enter_code(testapp, wrong).text
    answer = enter_code(testapp, wrong)
    assert answer.status_int == 400 and "That code can no longer be used: we sent you a new one." in answer.text
    assert len(mails(dbsession, "sms")) == 2
    assert enter_code(testapp, first).status_int == 400  # the old code is dead even when right
    assert enter_code(testapp, code_of(dbsession)).location.endswith("/register/done")


def test_codes_to_one_number_are_limited(testapp, dbsession):
    fill(testapp)
    confirm(testapp, link_of(dbsession))
    page = testapp.get("/register/phone")
    for _ in range(2):
        assert "A new code is on its way." in page.forms["new-code"].submit().follow().text
    answer = page.forms["new-code"].submit().follow()
    assert "Too many codes were sent to this number or from your address" in answer.text
    assert len(mails(dbsession, "sms")) == 3
    assert dbsession.scalar(select(func.count()).select_from(SmsCode).where(SmsCode.used_at.is_(None))) == 1


def test_the_phone_step_needs_the_link_first(testapp, dbsession):
    answer = testapp.get("/register/phone")
    assert answer.status_int == 303 and answer.location.endswith("/register/")
    assert "Open the link in the e-mail we sent you first." in answer.follow().text
    assert testapp.post("/register/new-code", {"csrf_token": testapp.get("/register").forms["register"]["csrf_token"].value}
                        ).location.endswith("/register/")
    assert mails(dbsession, "sms") == []


def test_a_forged_or_used_link_confirms_nothing(testapp, dbsession):
    assert "This link does not work" in testapp.get("/register/confirm?token=forged", status=400).text
    fill(testapp)
    path = link_of(dbsession)
    form = testapp.get(path).forms["confirm-email"]
    form.submit("submit")
    assert "This link does not work" in form.submit("submit", status=400).text
    assert len(mails(dbsession, "sms")) == 1


def test_the_forms_need_the_csrf_token(testapp, dbsession):
    testapp.get("/register")
    testapp.post("/register/", {"email": "x@y.test"}, status=400)
    testapp.post("/register/confirm", {"token": "x"}, status=400)
    assert dbsession.scalar(select(func.count()).select_from(User).where(User.email == "x@y.test")) == 0


def test_someone_logged_in_is_sent_to_their_companies(testapp, dbsession):
    user = customer(PartyFactory())
    login(testapp, user.login)
    assert testapp.get("/register").location.endswith("/account/memberships")


def test_without_sms_the_link_completes_the_registration(app_settings, migrated_engine, tm, dbsession):
    import portal

    settings = {k: v for k, v in app_settings.items() if k != "portal.sms.folder"}
    quiet = webtest.TestApp(portal.main({}, **settings), extra_environ={
        "HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.11", "tm.active": True, "tm.manager": tm,
        "app.dbsession": dbsession})
    assert "code in an SMS" not in quiet.get("/register").text
    fill(quiet)
    assert confirm(quiet, link_of(dbsession)).location.endswith("/register/done")
    assert mails(dbsession, "sms") == []
    registration = dbsession.get(Registration, user_of(dbsession).id)
    assert registration.completed_at is not None and registration.phone_confirmed_at is None
    assert TEST_SETTINGS["portal.sms.folder"]  # the shared settings keep SMS on


def test_a_registration_never_finished_is_pruned_with_its_user_and_the_address_is_free_again(testapp, dbsession):
    from datetime import timedelta

    from portal.db.meta import utcnow
    from portal.identity.models import UserRole
    from portal.onboarding.registration import prune_abandoned

    fill(testapp)
    fill(testapp, email="kept@yug.test")
    fill(testapp, email="finished@yug.test")
    dbsession.flush()
    kept, finished = user_of(dbsession, "kept@yug.test"), user_of(dbsession, "finished@yug.test")
    dbsession.add(UserRole(user_id=kept.id, role="backoffice"))  # staff gave the unfinished user a role
    dbsession.get(Registration, finished.id).completed_at = utcnow()
    dbsession.flush()
    assert prune_abandoned(dbsession, 30) == 0  # begun today
    assert prune_abandoned(dbsession, 30, now=utcnow() + timedelta(days=31)) == 1
    dbsession.expire_all()
    emails = set(dbsession.scalars(select(User.email)))
    assert "anna@yug.test" not in emails and {"kept@yug.test", "finished@yug.test"} <= emails
    assert dbsession.scalar(select(func.count()).select_from(MembershipRequest)
                            .where(MembershipRequest.company_name == "Yug Vodokanal")) == 2
    assert fill(testapp).status_int == 303 and user_of(dbsession).email == "anna@yug.test"
