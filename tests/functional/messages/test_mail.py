"""E-mail for messages through HTTP: each recipient gets one, in their language, with the link; nobody
who turned e-mails off, has no address, or may not see the party."""
from types import SimpleNamespace

import pytest
import webtest
from sqlalchemy import select

from portal.messages.models import Message, MessageReceipt, MessageThread
from portal.outbox.models import OutboxMessage
from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, PartyFactory, customer, staff


@pytest.fixture
def world(dbsession):
    party = PartyFactory(name="Mailed Co")
    other = PartyFactory(name="Elsewhere Ltd")
    manager = staff("manager", first_name="Pavel", last_name="Manager", email="manager@company.test")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    elsewhere = staff("manager", last_name="Elsewhere", email="elsewhere@company.test")
    ManagerAssignmentFactory(user_id=elsewhere.id, party_id=other.id)
    return SimpleNamespace(
        party=party, other=other, manager=manager, elsewhere=elsewhere,
        customer=customer(party, first_name="Olga", last_name="Petrova", email="olga@mailed.test"),
        colleague=customer(party, first_name="Сергей", middle_name="Петрович", last_name="Иванов",
                           language="ru", email="sergey@mailed.test"),
        quiet=customer(party, last_name="Quiet", email="quiet@mailed.test", notify="portal"),
        outsider=customer(other, last_name="Outsider", email="outsider@elsewhere.test"),
        service=staff("service", last_name="Dispatcher", email="dispatch@company.test"),
    )


def browser(app, testapp, user):
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, user.login)
    return other


def start(testapp, party, subject="Invoice question", body="Why is it higher?"):
    form = testapp.get(f"/p/{party.id}/messages/new").forms["new-thread"]
    form["subject"], form["body"] = subject, body
    return form.submit("submit", status=303)


def reply(testapp, url, body="Here is the answer."):
    form = testapp.get(url).forms["reply"]
    form["body"] = body
    return form.submit("submit", status=303)


def mails(dbsession) -> dict:
    dbsession.flush()
    return {m.recipient: m for m in dbsession.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}


def receipts(dbsession, message) -> set:
    return set(dbsession.scalars(select(MessageReceipt.user_id).where(MessageReceipt.message_id == message.id)))


def test_a_customer_message_e_mails_the_partys_manager_only(testapp, dbsession, world):
    login(testapp, world.customer.login)
    start(testapp, world.party, subject="Invoice\nquestion")
    thread = dbsession.scalars(select(MessageThread)).one()
    message = dbsession.scalars(select(Message)).one()
    assert receipts(dbsession, message) == {world.manager.id}
    sent = mails(dbsession)
    # The manager of another party, the other staff, the author and her colleagues get nothing.
    assert set(sent) == {"manager@company.test"}
    mail = sent["manager@company.test"]
    assert (mail.user_id, mail.party_id, mail.topic) == (world.manager.id, world.party.id, "message.posted")
    assert mail.subject == "Message from Mailed Co: “Invoice question”"
    assert "Hello, Pavel." in mail.body
    assert "Petrova Olga of Mailed Co wrote in the conversation “Invoice question”:" in mail.body
    assert "Why is it higher?" in mail.body
    assert f"http://localhost:6543/p/{world.party.id}/messages/{thread.id}/" in mail.body
    assert "http://localhost:6543/account/" in mail.body


def test_a_staff_message_e_mails_each_customer_in_their_language_but_not_who_turned_e_mails_off(
        app, testapp, dbsession, world):
    login(testapp, world.customer.login)
    start(testapp, world.party)
    thread = dbsession.scalars(select(MessageThread)).one()
    url = f"/p/{world.party.id}/messages/{thread.id}/"
    reply(browser(app, testapp, world.manager), url)
    answer = dbsession.scalars(select(Message).where(Message.from_staff.is_(True))).one()
    # The quiet colleague still has the message in the portal, only no e-mail.
    assert receipts(dbsession, answer) == {world.customer.id, world.colleague.id, world.quiet.id}
    sent = mails(dbsession)
    assert set(sent) == {"manager@company.test", "olga@mailed.test", "sergey@mailed.test"}
    english, russian = sent["olga@mailed.test"], sent["sergey@mailed.test"]
    assert english.subject == "New message: “Invoice question” (Mailed Co)"
    assert "Manager Pavel of our staff wrote to Mailed Co" in english.body and "Here is the answer." in english.body
    assert "Здравствуйте, Сергей Петрович." in russian.body  # in Russian, by first name and patronymic
    assert f"/p/{world.party.id}/messages/{thread.id}/" in russian.body
    assert english.user_id == world.customer.id and russian.party_id == world.party.id


def test_no_e_mail_without_an_address_or_to_a_blocked_user(app, testapp, dbsession, world):
    nameless = customer(world.party, last_name="Nameless", email=None)
    blocked = customer(world.party, last_name="Blocked", email="blocked@mailed.test", state="blocked")
    clerk = browser(app, testapp, world.service)
    start(clerk, world.party, subject="Planned outage")
    sent = mails(dbsession)
    assert set(sent) == {"olga@mailed.test", "sergey@mailed.test"}
    assert all(m.user_id not in (nameless.id, blocked.id, world.quiet.id, world.outsider.id) for m in sent.values())


def test_a_refused_message_writes_no_e_mail(testapp, dbsession, world):
    login(testapp, world.customer.login)
    form = testapp.get(f"/p/{world.party.id}/messages/new").forms["new-thread"]
    form["subject"], form["body"] = "Fine subject", "x" * 5001
    assert form.submit("submit", status=400)
    assert mails(dbsession) == {}
