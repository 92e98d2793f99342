"""Every filing form files once: the same rendered form sent again lands on what it filed.

A request, a ticket, a change request, a new thread and a reply are each sent
twice with the same one-time token (a double click, a reload of the POST, a
second tab): the second sending files nothing and is sent, with a notice, to
the page the first one led to. A token that was not issued, is another user's
or has expired is refused with a clear message and a new token.
"""
import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
import webtest
from sqlalchemy import func, select

from portal.attachments.models import Attachment
from portal.changes.models import ChangeRequest
from portal.db.meta import utcnow
from portal.formtokens.models import UsedFormToken
from portal.formtokens.services import FormTokenService
from portal.messages.models import Message, MessageThread
from portal.requests.models import CustomerRequest
from portal.tickets.models import ServiceTicket
from tests.conftest import login
from tests.factories import PartyFactory, RequestTypeFactory, customer, staff
from tests.factories.messages import thread as make_thread

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
ALREADY = "This form had already been sent; nothing was filed again."


@pytest.fixture
def world(dbsession):
    party = PartyFactory(name="Filing Co", phone="+7 495 000-00-00")
    rtype = RequestTypeFactory(code="copies", names={"en": "Copies of documents", "ru": "Копии документов"})
    return SimpleNamespace(party=party, rtype=rtype, customer=customer(party, last_name="Customer"),
                           colleague=customer(party, last_name="Colleague"),
                           thread=make_thread(dbsession, party, staff("service"), from_staff=True))


def count(dbsession, model) -> int:
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(model))


# Each filing form: (its page, its form id, how to fill it, the button, the model it files).
def fill_request(form, world):
    form["type_id"] = str(world.rtype.id)
    form["subject"] = "Copies of the contract"
    form["body"] = "Please send scanned copies."


def fill_ticket(form, world):
    form["subject"] = "Boiler is leaking"
    form["body"] = "Water on the floor."


def fill_change(form, world):
    form["phone"] = "+7 495 111-22-33"


def fill_thread(form, world):
    form["subject"] = "Invoice question"
    form["body"] = "Why is it higher?"


def fill_reply(form, world):
    form["body"] = "Here is the answer."


FORMS = {
    "request": (lambda w: f"/p/{w.party.id}/requests/new", "new-request", fill_request, "submit", CustomerRequest),
    "ticket": (lambda w: f"/p/{w.party.id}/tickets/new", "new-ticket", fill_ticket, "submit", ServiceTicket),
    "change": (lambda w: f"/p/{w.party.id}/changes/new", "change-request", fill_change, "submit", ChangeRequest),
    "thread": (lambda w: f"/p/{w.party.id}/messages/new", "new-thread", fill_thread, "submit", MessageThread),
    "reply": (lambda w: f"/p/{w.party.id}/messages/{w.thread.id}/", "reply", fill_reply, "submit", Message),
}


def filled(testapp, world, kind):
    page, formid, fill, _button, _model = FORMS[kind]
    form = testapp.get(page(world)).forms[formid]
    fill(form, world)
    return form


@pytest.mark.parametrize("kind", sorted(FORMS))
def test_the_same_form_sent_twice_files_once_and_lands_on_the_first(testapp, dbsession, world, kind):
    button, model = FORMS[kind][3], FORMS[kind][4]
    login(testapp, world.customer.login)
    before = count(dbsession, model)
    form = filled(testapp, world, kind)
    first = form.submit(button, status=303)
    assert count(dbsession, model) == before + 1
    second = form.submit(button, status=303)  # the very same form, token and all
    assert count(dbsession, model) == before + 1
    assert second.location == first.location
    assert ALREADY in second.follow().text
    assert count(dbsession, UsedFormToken) == 1


@pytest.mark.parametrize("kind", ["request", "reply"])
def test_a_repeated_form_with_its_file_keeps_the_file_once(testapp, dbsession, world, kind):
    login(testapp, world.customer.login)
    form = filled(testapp, world, kind)
    form["upload"] = webtest.Upload("scan.pdf", PDF)
    first = form.submit("submit", status=303)
    second = form.submit("submit", status=303)
    assert second.location == first.location
    assert count(dbsession, Attachment) == 1


def test_a_form_refused_for_its_values_can_be_corrected_and_sent_with_its_token(testapp, dbsession, world):
    login(testapp, world.customer.login)
    form = filled(testapp, world, "ticket")
    form["subject"] = ""
    page = form.submit("submit", status=400)
    assert "Required" in page.text and count(dbsession, ServiceTicket) == 0
    again = page.forms["new-ticket"]
    assert again["form_token"].value == form["form_token"].value  # never used: still good
    again["subject"] = "Boiler is leaking"
    again.submit("submit", status=303)
    assert count(dbsession, ServiceTicket) == 1


def refused_with_a_new_token(response, sent_token, message):
    assert response.status_int == 400 and message in response.text
    fresh = response.forms["new-ticket"]["form_token"].value
    assert fresh and fresh != sent_token
    assert response.forms["new-ticket"]["subject"].value == "Boiler is leaking"  # what was typed stays
    return response.forms["new-ticket"]


@pytest.mark.parametrize("token", ["", "forged", "1.abc.def", "99999999999.nonce.signature"])
def test_a_token_that_was_not_issued_is_refused_and_files_nothing(testapp, dbsession, world, token):
    login(testapp, world.customer.login)
    form = filled(testapp, world, "ticket")
    form["form_token"].force_value(token)
    again = refused_with_a_new_token(form.submit("submit", status=400), token, "This form cannot be accepted")
    assert count(dbsession, ServiceTicket) == 0 and count(dbsession, UsedFormToken) == 0
    again.submit("submit", status=303)  # the form shown again carries a good token
    assert count(dbsession, ServiceTicket) == 1


def test_another_users_token_is_refused(app, testapp, dbsession, world):
    login(testapp, world.customer.login)
    theirs = filled(testapp, world, "ticket")["form_token"].value
    colleague = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(colleague, world.colleague.login)
    form = filled(colleague, world, "ticket")
    form["form_token"].force_value(theirs)
    refused_with_a_new_token(form.submit("submit", status=400), theirs, "This form cannot be accepted")
    assert count(dbsession, ServiceTicket) == 0


def test_a_token_of_another_form_is_refused(testapp, dbsession, world):
    login(testapp, world.customer.login)
    of_a_thread = filled(testapp, world, "thread")["form_token"].value
    form = filled(testapp, world, "ticket")
    form["form_token"].force_value(of_a_thread)
    refused_with_a_new_token(form.submit("submit", status=400), of_a_thread, "This form cannot be accepted")
    assert count(dbsession, ServiceTicket) == 0


def test_an_expired_token_is_refused(app, testapp, dbsession, world):
    login(testapp, world.customer.login)
    policy = app.registry["form_token_policy"]
    yesterday = FormTokenService(dbsession, policy, world.customer.id,
                                 clock=lambda: utcnow() - policy.lifetime - timedelta(minutes=1))
    old = yesterday.issue("new-ticket")
    form = filled(testapp, world, "ticket")
    form["form_token"].force_value(old)
    refused_with_a_new_token(form.submit("submit", status=400), old, "has expired")
    assert count(dbsession, ServiceTicket) == 0


def test_every_rendering_carries_its_own_token(testapp, world):
    login(testapp, world.customer.login)
    tokens = {filled(testapp, world, "request")["form_token"].value for _ in range(3)}
    assert len(tokens) == 3 and all(re.fullmatch(r"\d+\.[\w-]+\.[\w-]+", t) for t in tokens)
