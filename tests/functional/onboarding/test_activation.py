"""Accounts made by post: the back office's letter (a PDF with one part of the code, the other by
e-mail), ``/activate`` with both parts and a new password, and everything else refused alike."""
import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.identity.models import User
from portal.outbox.models import OutboxMessage
from portal.parties.licence import LIMIT_SETTING, seats_used
from portal.parties.models import Membership
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff

PART = re.compile(r"\b([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})\b")
PASSWORD = "Letter-portal-2026"


@pytest.fixture
def party(dbsession):
    return PartyFactory(name="Teplo Household", external_id="UTIL-0042", address="Tula, Lenina 5, apt 7")


def make_letter(testapp, target, status=200, **values):
    form = testapp.get("/backoffice/registrations/letter").forms["activation-letter"]
    fields = {"last_name": "Sidorov", "first_name": "Petr", "email": "petr@household.test", "phone": "+7 910 000 11 22",
              "party": target.external_id}
    fields.update(values)
    for name, value in fields.items():
        form[name] = value
    return form.submit("submit", status=status)


def letter_part(response) -> str:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body)).pages)
    [part] = PART.findall(text)
    return part


def email_part(dbsession) -> str:
    dbsession.flush()
    mail = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic == "activation.code")).one()
    [part] = PART.findall(mail.body)
    return part


def activate(testapp, letter, email, password=PASSWORD, status="*"):
    form = testapp.get("/activate").forms["activate"]
    form["letter_code"], form["email_code"] = letter, email
    form["new_password"], form["confirmation"] = password, password
    return form.submit("submit", status=status)


@pytest.fixture
def clerk(testapp):
    login(testapp, staff("backoffice", login="letters-clerk").login)
    return testapp


def test_the_letter_and_the_e_mail_carry_one_part_each_and_both_activate_the_account(clerk, app, dbsession, party):
    pdf = make_letter(clerk, party)
    assert pdf.content_type == "application/pdf" and "attachment" in pdf.headers["Content-Disposition"]
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.body)).pages)
    assert "petr@household.test" in text and "Tula, Lenina 5, apt 7" in text and "Teplo Household" in text
    letter, email = letter_part(pdf), email_part(dbsession)
    assert letter != email
    user = dbsession.scalars(select(User).where(User.login == "petr@household.test")).one()
    assert (user.password_hash, user.phone) == (None, "+79100001122")
    assert user.memberships == []  # nothing to act for before both parts
    mail = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic == "activation.code")).one()
    assert letter not in mail.body and letter.replace("-", "") not in mail.body
    assert mail.recipient == "petr@household.test" and "http://localhost:6543/activate" in mail.body
    clerk.reset()
    answer = activate(clerk, letter.lower().replace("-", " "), email)  # as a person may type it
    assert answer.status_int == 303 and answer.location.endswith("/login")
    assert "Your account is active. Log in with the login “petr@household.test”" in answer.follow().text
    login(clerk, "petr@household.test", PASSWORD)
    assert clerk.get(f"/p/{party.id}/").status_int == 200
    assert activate(clerk, letter, email).status_int == 400  # used: dead
    assert {"activation.letter", "activation.done", "membership.add"} <= set(dbsession.scalars(
        select(AuditEntry.action).where(AuditEntry.target == f"user:{user.id}")))


def test_one_part_alone_or_wrong_parts_open_nothing_and_are_limited(clerk, dbsession, party):
    letter = letter_part(make_letter(clerk, party))
    email = email_part(dbsession)
    clerk.reset()
    for pair in ((letter, letter), (email, email), (email, letter), (letter, "AAAA-BBBB-CCCC")):
        answer = activate(clerk, *pair)
        assert answer.status_int == 400 and "These codes open no account." in answer.text
        assert PASSWORD not in answer.text
    for _ in range(6):
        activate(clerk, "AAAA", "BBBB")
    answer = activate(clerk, letter, email)
    assert answer.status_int == 429 and "Too many wrong codes from your address" in answer.text
    dbsession.expire_all()
    assert dbsession.scalars(select(User.password_hash).where(User.login == "petr@household.test")).one() is None


def test_a_weak_password_is_refused_and_the_code_still_works(clerk, dbsession, party):
    letter = letter_part(make_letter(clerk, party))
    email = email_part(dbsession)
    clerk.reset()
    assert activate(clerk, letter, email, password="petr@household.test1").status_int == 400
    assert activate(clerk, letter, email).status_int == 303


def test_a_full_licence_refuses_the_activation_and_changes_nothing(clerk, app, dbsession, party, monkeypatch):
    letter = letter_part(make_letter(clerk, party))
    email = email_part(dbsession)
    monkeypatch.setitem(app.registry, LIMIT_SETTING, seats_used(dbsession))
    clerk.reset()
    answer = activate(clerk, letter, email)
    assert answer.status_int == 400 and "seats are taken" in answer.text
    monkeypatch.setitem(app.registry, LIMIT_SETTING, None)
    assert activate(clerk, letter, email).status_int == 303  # the refusal used nothing up


@pytest.mark.parametrize("values, field, message", [
    ({"email": "taken@household.test"}, "email", "A user with this e-mail address or login already exists."),
    ({"party": "NO-SUCH"}, "party", "There is no party “NO-SUCH”."),
    ({"phone": "12345"}, "phone", "international form"),
    ({"email": "nobody"}, "email", "Enter an e-mail address"),
])
def test_the_letter_form_refuses_bad_input_and_makes_nothing(clerk, dbsession, party, values, field, message):
    customer(party, login="taken@household.test", email="taken@household.test")
    users = dbsession.scalar(select(func.count()).select_from(User))
    answer = make_letter(clerk, party, status=400, **values)
    assert message in answer.html.select_one(f".item-{field} .invalid-feedback").text
    assert dbsession.scalar(select(func.count()).select_from(User)) == users
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_only_the_back_office_makes_letters(testapp, dbsession, party):
    for user in (customer(party), staff("service"), staff("head")):
        testapp.reset()
        login(testapp, user.login)
        assert testapp.get("/backoffice/registrations/letter", status="*").status_int in (403, 404)
    assert dbsession.scalar(select(func.count()).select_from(Membership).where(Membership.party_id == party.id)) == 1
