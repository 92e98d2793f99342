"""Advance schedules through the integration API: created, unchanged, updated (payments replaced whole),
read back, and refused row by row when they name what is not there or plan nonsense."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.finance.models import AdvanceSchedule
from tests.conftest import statements
from tests.factories import ContractFactory, PartyFactory
from tests.functional.api.conftest import bearer

URL = "/api/v1/advance_schedules"


def post(testapp, key, body, status=200, url=URL):
    return testapp.post_json(url, body, headers=bearer(key), status=status)


def results(response):
    return [r["result"] for r in response.json["results"]]


def fields(response):
    return [[e["field"] for e in r.get("errors", [])] for r in response.json["results"]]


def stored(dbsession, external_id="ADV-1"):
    dbsession.expire_all()
    return dbsession.scalars(select(AdvanceSchedule).where(AdvanceSchedule.external_id == external_id)).first()


def refs(dbsession):
    party, other = PartyFactory(external_id="U-P1"), PartyFactory(external_id="U-P2")
    ContractFactory(party=party, number="K-1", external_id="U-K1")
    ContractFactory(party=other, number="K-2", external_id="U-K2")
    dbsession.flush()
    return party, other


ROW = {"external_id": "ADV-1", "party": "U-P1", "contract": "U-K1", "number": "ГА-2026/1",
       "issue_date": "2026-01-10", "period_start": "2026-01-01", "period_end": "2026-03-31",
       "payments": [{"due_date": "2026-01-15", "amount": "1000.00", "paid_amount": "1000.00", "paid_on": "2026-01-14"},
                    {"due_date": "2026-02-15", "amount": 1000},
                    {"due_date": "2026-03-15", "amount": "1000.50", "paid_amount": "200"}]}


def test_created_then_unchanged_then_updated_with_its_payments_replaced(testapp, dbsession, write_key):
    party, _other = refs(dbsession)
    assert results(post(testapp, write_key, ROW)) == ["created"]
    schedule = stored(dbsession)
    assert (schedule.party_id, schedule.contract.number, schedule.currency) == (party.id, "K-1", "RUB")
    assert [(p.due_date, p.amount, p.paid_amount, p.paid_on) for p in schedule.payments] == [
        (date(2026, 1, 15), Decimal("1000.00"), Decimal("1000.00"), date(2026, 1, 14)),
        (date(2026, 2, 15), Decimal("1000.00"), Decimal("0.00"), None),
        (date(2026, 3, 15), Decimal("1000.50"), Decimal("200.00"), None)]
    with statements(dbsession) as seen:
        assert results(post(testapp, write_key, {"items": [ROW]})) == ["unchanged"]
    assert not [s for s in seen if "advance_" in s and s.lstrip().upper().startswith(("UPDATE", "INSERT", "DELETE"))]
    changed = dict(ROW, currency="EUR", payments=ROW["payments"][:1] + [{"due_date": "2026-03-01", "amount": "2000.50"}])
    assert results(post(testapp, write_key, changed)) == ["updated"]
    schedule = stored(dbsession)
    assert schedule.currency == "EUR" and [p.amount for p in schedule.payments] == [Decimal("1000.00"), Decimal("2000.50")]
    read = testapp.get(f"{URL}/ADV-1", headers=bearer(write_key)).json
    assert read["party"] == "U-P1" and read["contract"] == "U-K1" and read["number"] == "ГА-2026/1"
    assert read["payments"] == [
        {"due_date": "2026-01-15", "amount": "1000.00", "paid_amount": "1000.00", "paid_on": "2026-01-14"},
        {"due_date": "2026-03-01", "amount": "2000.50", "paid_amount": "0.00", "paid_on": None}]
    # The stored PDF of the accounting system is kept across updates that do not send one.
    schedule.pdf_sha256 = "ab" * 32
    dbsession.flush()
    assert results(post(testapp, write_key, dict(changed, number="ГА-2026/1-bis"))) == ["updated"]
    assert stored(dbsession).pdf_sha256 == "ab" * 32


def test_bad_rows_are_refused_one_by_one_and_change_nothing(testapp, dbsession, write_key):
    refs(dbsession)
    pay = [{"due_date": "2026-01-15", "amount": "10.00"}]
    body = {"items": [
        dict(ROW, external_id="ADV-OK"),
        dict(ROW, external_id="ADV-2", party="U-404"),
        dict(ROW, external_id="ADV-3", contract="U-K2"),  # the other party's contract
        dict(ROW, external_id="ADV-4", contract="U-K404"),
        dict(ROW, external_id="ADV-5", period_end="2025-12-31"),
        dict(ROW, external_id="ADV-6", payments=[]),
        dict(ROW, external_id="ADV-7", payments=[{"due_date": "2026-01-15", "amount": "0"}]),
        dict(ROW, external_id="ADV-8", payments=[{"due_date": "2026-01-15", "amount": "10.005"}]),
        dict(ROW, external_id="ADV-9", payments=[{"due_date": "2026-01-15", "amount": "10", "paid_amount": "-1"}]),
        dict(ROW, external_id="ADV-10", payments=[{"due_date": "15.01.2026", "amount": "10"}]),
        dict(ROW, external_id="ADV-11", payments=[{"due_date": "2026-01-15", "amount": "NaN"}]),
        dict(ROW, external_id="ADV-12", payments=[{"amount": "10"}]),
        dict(ROW, external_id="ADV-13", currency="rub"),
        dict(ROW, external_id="ADV-14", payments=pay, number="ГА-2026/1"),  # the number ADV-OK has
        dict(ROW, external_id="ADV-15", payments=[{"due_date": "2026-01-15", "amount": "1e20"}]),
        {k: v for k, v in ROW.items() if k != "payments"} | {"external_id": "ADV-16"},
    ]}
    response = post(testapp, write_key, body)
    assert results(response) == ["created"] + ["error"] * 15
    assert fields(response)[1:] == [
        ["party"], ["contract"], ["contract"], ["period_end"], ["payments"], ["payments.0.amount"],
        ["payments.0.amount"], ["payments.0.paid_amount"], ["payments.0.due_date"], ["payments.0.amount"],
        ["payments.0.due_date"], ["currency"], [""], ["payments.0.amount"], ["payments"]]
    messages = {r["external_id"]: r["errors"][0]["message"] for r in response.json["results"][1:]}
    assert messages["ADV-2"] == "No party has the external id U-404."
    assert messages["ADV-3"] == "The contract U-K2 is another party's."
    dbsession.expire_all()
    assert set(dbsession.scalars(select(AdvanceSchedule.external_id))) == {"ADV-OK"}


def test_a_schedule_never_moves_to_another_party(testapp, dbsession, write_key):
    refs(dbsession)
    post(testapp, write_key, ROW)
    moved = dict(ROW, party="U-P2", contract="U-K2")
    response = post(testapp, write_key, moved)
    assert results(response) == ["error"] and fields(response) == [["party"]]
    assert stored(dbsession).contract.number == "K-1"


def test_the_openapi_document_describes_the_entity(testapp, write_key):
    document = testapp.get("/api/v1/openapi.json", headers=bearer(write_key)).json
    schema = document["components"]["schemas"]["advance_schedules"]
    assert {"external_id", "party", "contract", "number", "period_start", "period_end", "currency",
            "payments"} <= set(schema["properties"])
    payment = schema["properties"]["payments"]["items"]
    assert {"due_date", "amount", "paid_amount", "paid_on"} <= set(payment["properties"])
    assert "/advance_schedules" in document["paths"]
