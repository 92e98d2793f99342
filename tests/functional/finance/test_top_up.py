"""A customer asks for an invoice of an amount they choose: it is filed once as a request of the
configured type, routed to the back office, waits above the invoice list, and is settled when the
accounting system's invoice names it, the requester being told."""
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from portal.finance.models import TopUpRequest
from portal.finance.services.top_up import TopUpRefused, settle
from portal.outbox.models import OutboxMessage
from portal.requests.models import CustomerRequest
from portal.scripts.demo import DEMO_PASSWORD
from portal.workflows.models import Notice
from tests.conftest import login
from tests.factories import PartyFactory, RequestTypeFactory, StaffGroupFactory, customer, staff
from tests.factories import finance as f


@pytest.fixture
def world(dbsession):
    back_office = StaffGroupFactory(name="Billing")
    party, other = PartyFactory(name="Top-up Energo"), PartyFactory(name="Other Ltd")
    return {
        "type": RequestTypeFactory(code="top_up_invoice", group_id=back_office.id),
        "group": back_office, "party": party, "other": other,
        "user": customer(party, last_name="Payer", language="en"),
        "outsider": customer(other), "clerk": staff("backoffice", group=back_office),
        "head": staff("head"),
    }


def ask(testapp, party, amount, comment="", status=303):
    form = testapp.get(f"/p/{party.id}/invoices/top-up").forms["top-up"]
    form["amount"] = amount
    form["comment"] = comment
    return form.submit("submit", status=status)


def stored(dbsession) -> int:
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(TopUpRequest))


def test_a_top_up_is_filed_as_a_request_routed_to_the_back_office(testapp, dbsession, world):
    login(testapp, world["user"].login)
    done = ask(testapp, world["party"], "12,500.50", "For the winter")
    top_up = dbsession.scalars(select(TopUpRequest)).one()
    item = dbsession.get(CustomerRequest, top_up.request_id)
    assert (top_up.amount, top_up.currency, top_up.party_id) == (Decimal("12500.50"), "RUB", world["party"].id)
    assert (item.type_id, item.group_id, item.author_id) == (world["type"].id, world["group"].id, world["user"].id)
    assert "12,500.50" in item.subject and item.body == "For the winter"
    assert done.location.endswith(f"/p/{world['party'].id}/requests/{item.id}/")
    page = done.follow()
    assert "has been sent to the back office" in page.text
    # The back office hears of it; the list of invoices shows it waiting.
    assert world["clerk"].id in set(dbsession.scalars(select(Notice.user_id)))
    listing = testapp.get(f"/p/{world['party'].id}/invoices/")
    assert f"/requests/{item.id}/" in listing.text and "waiting to be issued" in listing.text


def test_a_russian_customer_writes_the_amount_with_a_decimal_comma(testapp, dbsession, world):
    world["user"].language = "ru"
    login(testapp, world["user"].login)
    ask(testapp, world["party"], "1 000,25")
    assert dbsession.scalars(select(TopUpRequest.amount)).one() == Decimal("1000.25")


@pytest.mark.parametrize("typed, message", [
    ("abc", "is not an amount"), ("0", "more than zero"), ("-5", "more than zero"),
    ("10.555", "two decimal places"), ("5000000000", "at most"), ("", "Required"),
])
def test_a_wrong_amount_is_refused_with_a_message_and_files_nothing(testapp, dbsession, world, typed, message):
    login(testapp, world["user"].login)
    page = ask(testapp, world["party"], typed, status=400)
    assert message in page.text
    assert stored(dbsession) == 0
    assert dbsession.scalar(select(func.count()).select_from(CustomerRequest)) == 0


def test_the_same_form_sent_twice_files_one_request(testapp, dbsession, world):
    login(testapp, world["user"].login)
    form = testapp.get(f"/p/{world['party'].id}/invoices/top-up").forms["top-up"]
    form["amount"] = "100"
    first = form.submit("submit", status=303)
    second = form.submit("submit", status=303)
    assert second.location == first.location
    assert stored(dbsession) == 1


def test_without_the_configured_type_the_page_says_so_and_files_nothing(testapp, dbsession, world):
    world["type"].active = False
    login(testapp, world["user"].login)
    page = testapp.get(f"/p/{world['party'].id}/invoices/top-up")
    assert "cannot be requested here yet" in page.text and "top-up" not in page.forms
    assert "Request a top-up invoice" in testapp.get(f"/p/{world['party'].id}/invoices/").text
    assert stored(dbsession) == 0


def test_only_the_partys_own_people_ask_and_nobody_sees_anothers(testapp, dbsession, world):
    login(testapp, world["outsider"].login)
    testapp.get(f"/p/{world['party'].id}/invoices/top-up", status=404)
    ask(testapp, world["other"], "10")
    testapp.reset()
    login(testapp, world["user"].login)
    assert "waiting to be issued" not in testapp.get(f"/p/{world['party'].id}/invoices/").text
    testapp.reset()
    login(testapp, world["head"].login)
    listing = testapp.get(f"/p/{world['party'].id}/invoices/")
    assert "Request a top-up invoice" not in listing.text
    testapp.get(f"/p/{world['party'].id}/invoices/top-up", status=403)


def test_the_issued_invoice_settles_the_request_and_tells_the_requester(app, testapp, dbsession, world):
    login(testapp, world["user"].login)
    ask(testapp, world["party"], "500")
    top_up = dbsession.scalars(select(TopUpRequest)).one()
    invoice = f.invoice(dbsession, world["party"], number="TOP-1", issued=date.today(),
                        lines=[f.line("Prepayment", "1", "pc", "500.00", "0")])
    settle(dbsession, top_up.request_id, invoice, registry=app.registry)
    dbsession.flush()
    item = dbsession.get(CustomerRequest, top_up.request_id)
    assert (item.state, top_up.invoice_id) == ("resolved", invoice.id)
    notices = dbsession.scalars(select(Notice).where(Notice.user_id == world["user"].id)).all()
    assert [n.transition for n in notices] == ["fulfil"]
    mails = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == world["user"].id)).all()
    assert len(mails) == 1
    page = testapp.get(f"/p/{world['party'].id}/requests/{item.id}/")
    assert "Invoice TOP-1 has been issued." in page.text
    assert "waiting to be issued" not in testapp.get(f"/p/{world['party'].id}/invoices/").text
    # The same invoice again changes nothing; another invoice, or another party's, is refused.
    settle(dbsession, top_up.request_id, invoice, registry=app.registry)
    with pytest.raises(TopUpRefused):
        settle(dbsession, top_up.request_id, f.invoice(dbsession, world["party"], number="TOP-2"))
    with pytest.raises(TopUpRefused):
        settle(dbsession, top_up.request_id, f.invoice(dbsession, world["other"], number="TOP-3"))


def test_the_general_request_form_does_not_offer_the_top_up_type(testapp, dbsession, world):
    RequestTypeFactory(code="general", names={"en": "General question"})
    login(testapp, world["user"].login)
    form = testapp.get(f"/p/{world['party'].id}/requests/new").forms["new-request"]
    offered = {value for value, _selected, _text in form["type_id"].options if value}
    assert offered and str(world["type"].id) not in offered


def test_the_demo_has_a_waiting_top_up_and_an_answered_one(testapp, dbsession, app_settings):
    from tests.functional.finance.test_demo import load

    parties = load(dbsession, app_settings)
    top_ups = {t.party_id: t for t in dbsession.scalars(select(TopUpRequest))}
    waiting, answered = top_ups[parties["DEMO-SEVER-ENERGO"].id], top_ups[parties["DEMO-SEVER-TRANS"].id]
    assert waiting.invoice_id is None and waiting.request.state == "new"
    assert answered.invoice is not None and answered.request.state == "resolved"
    assert answered.invoice.total_amount == answered.amount
    assert waiting.request.subject.startswith("Счёт на пополнение аванса")
    login(testapp, "energo", DEMO_PASSWORD)
    listing = testapp.get(f"/p/{parties['DEMO-SEVER-ENERGO'].id}/invoices/")
    assert f"/requests/{waiting.request_id}/" in listing.text


def api_invoice(external_id, number, **extra):
    return dict({"external_id": external_id, "party": "TOPUP-P", "number": number, "issue_date": "2026-11-01",
                 "due_date": "2026-11-10", "lines": [{"text": "Prepayment", "quantity": "1", "unit": "pc",
                                                      "price": "500.00", "vat_rate": "0"}]}, **extra)


def test_the_accounting_systems_invoice_names_the_request_it_answers(testapp, dbsession, world):
    from portal.api.keys import create_api_key
    from tests.functional.api.conftest import bearer

    world["party"].external_id = "TOPUP-P"
    key = bearer(create_api_key(dbsession, "Accounting", "write")[1])
    login(testapp, world["user"].login)
    ask(testapp, world["party"], "500")
    top_up = dbsession.scalars(select(TopUpRequest)).one()
    rows = testapp.post_json("/api/v1/invoices", {"items": [
        api_invoice("TU-1", "TU-0001", top_up_request=top_up.request_id),
        api_invoice("TU-2", "TU-0002", top_up_request=top_up.request_id),
        api_invoice("TU-3", "TU-0003", top_up_request=999999),
    ]}, headers=key).json["results"]
    assert [r["result"] for r in rows] == ["created", "error", "error"]
    assert {e["field"] for r in rows[1:] for e in r["errors"]} == {"top_up_request"}
    dbsession.expire_all()
    assert top_up.invoice.external_id == "TU-1" and top_up.request.state == "resolved"
    assert dbsession.scalars(select(Notice.transition).where(Notice.user_id == world["user"].id)).all() == ["fulfil"]
    again = testapp.post_json("/api/v1/invoices", api_invoice("TU-1", "TU-0001", top_up_request=top_up.request_id),
                              headers=key).json["results"][0]
    assert again["result"] == "unchanged"
    read = testapp.get("/api/v1/invoices/TU-1", headers=key).json
    assert read["top_up_request"] == top_up.request_id


def test_a_top_up_is_in_the_feed_for_the_accounting_system(testapp, dbsession, world):
    from portal.api.feed.models import FeedEvent
    from portal.finance.schemas import TopUpFeedSchema

    world["party"].external_id = "TOPUP-P"
    login(testapp, world["user"].login)
    ask(testapp, world["party"], "1,250.75", "Winter")
    dbsession.flush()
    [event] = dbsession.scalars(select(FeedEvent).where(FeedEvent.kind == "top_up_requests")).all()
    payload = TopUpFeedSchema().deserialize(event.payload)
    top_up = dbsession.scalars(select(TopUpRequest)).one()
    assert (payload["request_id"], payload["amount"], payload["currency"]) == (top_up.request_id, "1250.75", "RUB")
    assert payload["party"] == {"id": world["party"].id, "external_id": "TOPUP-P"}
    assert payload["comment"] == "Winter" and payload["requested_by"] == world["user"].full_name


def test_a_member_for_operations_does_not_see_the_top_ups_among_the_requests(app, testapp, dbsession, world):
    import io

    import webtest
    from openpyxl import load_workbook

    from tests.factories import MembershipFactory, UserFactory

    login(testapp, world["user"].login)
    item = ask(testapp, world["party"], "777").location.rstrip("/").rsplit("/", 1)[1]
    plain = CustomerRequest(party_id=world["party"].id, type_id=RequestTypeFactory(code="meter").id,
                            author_id=world["user"].id, subject="Meter is broken", body="…", state="new")
    dbsession.add(plain)
    dispatcher = UserFactory()
    MembershipFactory(user=dispatcher, party=world["party"], role="operations")
    dbsession.flush()
    tab = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(tab, dispatcher.login)
    listing = tab.get(f"/p/{world['party'].id}/requests/")
    assert "Meter is broken" in listing.text and "777" not in listing.text
    tab.get(f"/p/{world['party'].id}/requests/{item}/", status=404)
    export = tab.get(f"/p/{world['party'].id}/requests/export.xlsx")
    cells = [str(c) for row in load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True) for c in row]
    assert "Meter is broken" in cells and not [c for c in cells if "777" in c]
    # The requester (finance), and the back office, see it where it always was.
    assert "777" in testapp.get(f"/p/{world['party'].id}/requests/").text
    testapp.reset()
    login(testapp, world["clerk"].login)
    testapp.get(f"/p/{world['party'].id}/requests/{item}/", status=200)
