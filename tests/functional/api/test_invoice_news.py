"""Invoices the accounting system sends are news for the company's finance people (kind ``invoices``):
one letter per person and company for what one batch brought, by the channel each chose, in their
language; nobody of another company, nobody of the operations role, nothing for history being
loaded, a cancelled invoice, an update, or an atomic batch that was refused."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from portal.finance.mail import newsworthy
from portal.finance.models import Invoice
from portal.notifications.models import NotificationPreference
from portal.outbox.models import OutboxMessage
from tests.factories import MembershipFactory, PartyFactory, UserFactory
from tests.functional.api.conftest import bearer

INVOICES = "/api/v1/invoices"
TODAY = date.today()


@pytest.fixture
def people(dbsession):
    acme = PartyFactory(external_id="N-ACME", name="Acme Energo")
    other = PartyFactory(external_id="N-OTHER", name="Other Ltd")
    accountant = UserFactory(login="accountant", email="accountant@acme.test")
    everything = UserFactory(login="boss", email="boss@acme.test", language="ru", phone="+79161112233")
    operations = UserFactory(login="dispatcher", email="dispatcher@acme.test")
    stranger = UserFactory(login="stranger", email="stranger@other.test")
    MembershipFactory(user=accountant, party=acme, role="finance")
    MembershipFactory(user=everything, party=acme, role="all")
    MembershipFactory(user=operations, party=acme, role="operations")
    MembershipFactory(user=stranger, party=other, role="all")
    dbsession.flush()
    return acme, accountant, everything, operations, stranger


def invoice(external_id, party="N-ACME", issued=TODAY, **kw):
    return {"external_id": external_id, "party": party, "number": f"No-{external_id}",
            "issue_date": issued.isoformat(), "due_date": (issued + timedelta(days=14)).isoformat(),
            "lines": [{"text": "Electricity", "quantity": "10", "unit": "kWh", "price": "5", "vat_rate": "20"}]} | kw


def send(testapp, key, items, *, atomic=False):
    query, status = ("?atomic=true", "*") if atomic else ("", 200)
    return testapp.post_json(INVOICES + query, {"items": items}, headers=bearer(key), status=status).json


def letters(dbsession):
    dbsession.flush()
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic == "invoice.issue")
                             .order_by(OutboxMessage.id)).all()


def test_a_batch_of_invoices_is_one_letter_per_finance_person_each_by_their_channel(
        testapp, dbsession, write_key, people):
    acme, accountant, everything, _operations, _stranger = people
    dbsession.add(NotificationPreference(user_id=everything.id, kind="invoices", channel="sms"))
    send(testapp, write_key, [invoice("N-1"), invoice("N-2")])
    by_user = {row.user_id: row for row in letters(dbsession)}
    assert set(by_user) == {accountant.id, everything.id}  # not the operations member, nor the other company
    mail = by_user[accountant.id]
    assert (mail.channel, mail.recipient) == ("email", "accountant@acme.test")
    assert mail.subject == "New invoices for Acme Energo: 2"
    assert "No. No-N-1: RUB60.00, due" in mail.body and "No. No-N-2" in mail.body
    assert f"http://localhost:6543/p/{acme.id}/invoices/" in mail.body
    sms = by_user[everything.id]
    assert (sms.channel, sms.recipient) == ("sms", "+79161112233")
    assert sms.body.startswith("Новые счета для контрагента Acme Energo: 2")


def test_one_invoice_links_to_itself_and_the_other_companys_people_hear_of_their_own(
        testapp, dbsession, write_key, people):
    acme, accountant, _everything, _operations, stranger = people
    send(testapp, write_key, [invoice("N-1"), invoice("N-9", party="N-OTHER")])
    rows = letters(dbsession)
    one = dbsession.scalars(select(Invoice).where(Invoice.external_id == "N-1")).one()
    mine = next(row for row in rows if row.user_id == accountant.id)
    assert mine.subject == "New invoice No-N-1 for Acme Energo"
    assert f"/p/{acme.id}/invoices/{one.id}/" in mine.body and "No-N-9" not in mine.body
    theirs = [row for row in rows if row.user_id == stranger.id]
    assert len(theirs) == 1 and "Other Ltd" in theirs[0].subject and "No-N-1" not in theirs[0].body


def test_updates_history_cancelled_invoices_and_refused_batches_are_no_news(testapp, dbsession, write_key, people):
    send(testapp, write_key, [invoice("N-OLD", issued=TODAY - timedelta(days=400)),
                              invoice("N-VOID", cancelled=True)])
    assert letters(dbsession) == []
    send(testapp, write_key, [invoice("N-1")])
    assert len(letters(dbsession)) == 2
    send(testapp, write_key, [invoice("N-1", number="No-renamed")])  # updated: no second letter
    assert len(letters(dbsession)) == 2
    refused = send(testapp, write_key, [invoice("N-2"), invoice("N-3", party="N-NOBODY")], atomic=True)
    assert refused["counts"]["error"] == 1 and len(letters(dbsession)) == 2


def test_a_person_who_chose_off_or_the_portal_only_gets_no_letter(testapp, dbsession, write_key, people):
    _acme, accountant, everything, _operations, _stranger = people
    dbsession.add(NotificationPreference(user_id=accountant.id, kind="invoices", channel="off"))
    dbsession.add(NotificationPreference(user_id=everything.id, kind="invoices", channel="portal"))
    send(testapp, write_key, [invoice("N-1")])
    assert letters(dbsession) == []


def test_newsworthy_keeps_the_recent_uncancelled_invoices_of_each_party_in_date_order():
    def made(party_id, number, days_ago, cancelled=False):
        return Invoice(party_id=party_id, number=number, issue_date=TODAY - timedelta(days=days_ago),
                       cancelled=cancelled)
    found = newsworthy([made(1, "B", 0), made(1, "A", 3), made(1, "OLD", 31), made(2, "X", 30),
                        made(2, "VOID", 0, cancelled=True)], TODAY, 30)
    assert {party: [i.number for i in invoices] for party, invoices in found.items()} == {1: ["A", "B"], 2: ["X"]}


def test_the_members_of_a_blocked_company_and_blocked_users_hear_nothing(testapp, dbsession, write_key, people):
    acme, accountant, everything, _operations, _stranger = people
    everything.state = "blocked"
    dbsession.flush()
    send(testapp, write_key, [invoice("N-1")])
    assert [row.user_id for row in letters(dbsession)] == [accountant.id]
    acme.state = "blocked"
    dbsession.flush()
    send(testapp, write_key, [invoice("N-2")])
    assert [row.user_id for row in letters(dbsession)] == [accountant.id]
