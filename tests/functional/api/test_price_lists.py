"""Price lists through the API: created, unchanged, updated with their items (``lines``) replaced, whom
each is meant for (parties by external id, customer groups by name, neither: everyone), bad rows,
reading back."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from portal.finance.models import PriceList, PriceListAudience
from portal.finance.schemas import PriceListApiSchema
from portal.finance.services.price_lists import audience_of
from tests.factories import PartyFactory
from tests.factories.documents import party_group
from tests.functional.api.conftest import bearer

URL = "/api/v1/price_lists"
ITEMS = [{"code": "ВЫЕЗД-01", "name": "Выезд специалиста", "unit": "выезд", "price": "3500.00", "vat_rate": "20"},
         {"name": "Поверка прибора учёта", "unit": "шт", "price": 2800.5, "vat_rate": 20}]


def post(testapp, key, body, status=200):
    return testapp.post_json(URL, body, headers=bearer(key), status=status).json


def results(body):
    return [r["result"] for r in body["results"]]


def errors(body):
    return [(e["field"], e["message"]) for r in body["results"] for e in r.get("errors", [])]


def stored(dbsession, external_id) -> PriceList:
    dbsession.expire_all()
    return dbsession.scalars(select(PriceList).where(PriceList.external_id == external_id)).one()


def test_created_unchanged_then_updated_with_its_items_replaced(testapp, dbsession, write_key):
    row = {"external_id": "PL-1", "name": "Прейскурант 2026", "valid_from": "2026-01-01", "lines": ITEMS}
    assert results(post(testapp, write_key, row)) == ["created"]
    made = stored(dbsession, "PL-1")
    assert (made.currency, made.valid_to, made.audience) == ("RUB", None, PriceListAudience.all)
    assert [(i.position, i.code, i.name, i.price, i.vat_rate) for i in made.items] == [
        (1, "ВЫЕЗД-01", "Выезд специалиста", Decimal("3500.00"), Decimal("20")),
        (2, "", "Поверка прибора учёта", Decimal("2800.5"), Decimal("20"))]
    assert results(post(testapp, write_key, row)) == ["unchanged"]
    # A row that leaves the items out changes the rest and keeps them.
    assert results(post(testapp, write_key, {"external_id": "PL-1", "name": "Прейскурант 2026",
                                             "valid_from": "2026-01-01", "valid_to": "2026-12-31"})) == ["updated"]
    assert stored(dbsession, "PL-1").valid_to == date(2026, 12, 31) and len(stored(dbsession, "PL-1").items) == 2
    changed = dict(row, valid_to="2026-12-31", lines=[dict(ITEMS[1], price="2900")])
    assert results(post(testapp, write_key, changed)) == ["updated"]
    assert [(i.position, i.price) for i in stored(dbsession, "PL-1").items] == [(1, Decimal("2900"))]
    read = testapp.get(f"{URL}/PL-1", headers=bearer(write_key)).json
    assert read == {"external_id": "PL-1", "name": "Прейскурант 2026", "currency": "RUB", "valid_from": "2026-01-01",
                    "valid_to": "2026-12-31", "parties": [], "groups": [],
                    "lines": [{"code": "", "name": "Поверка прибора учёта", "unit": "шт", "price": "2900.0000",
                               "vat_rate": "20.00"}]}


def test_parties_and_groups_choose_whom_it_is_for(testapp, dbsession, write_key):
    party, member = PartyFactory(external_id="P-1"), PartyFactory(external_id="P-2")
    group = party_group(dbsession, "Ключевые клиенты", [member])
    row = {"external_id": "PL-2", "name": "Тарифы", "valid_from": "2026-01-01", "lines": [],
           "parties": ["P-1"], "groups": ["ключевые КЛИЕНТЫ"]}
    assert results(post(testapp, write_key, row)) == ["created"]
    made = stored(dbsession, "PL-2")
    assert made.audience == PriceListAudience.chosen and audience_of(dbsession, made) == ([party], [group])
    read = testapp.get(f"{URL}/PL-2", headers=bearer(write_key)).json
    assert (read["parties"], read["groups"]) == (["P-1"], ["Ключевые клиенты"])
    # The same parties in another order, twice over, are no change.
    assert results(post(testapp, write_key, dict(row, parties=["P-1", "P-1"], groups=["Ключевые клиенты"]))) == \
        ["unchanged"]
    assert results(post(testapp, write_key, dict(row, parties=["P-2", "P-1"]))) == ["updated"]
    assert {p.external_id for p in audience_of(dbsession, stored(dbsession, "PL-2"))[0]} == {"P-1", "P-2"}
    # Nobody chosen any more: every customer.
    assert results(post(testapp, write_key, dict(row, parties=[], groups=None))) == ["updated"]
    assert stored(dbsession, "PL-2").audience == PriceListAudience.all


def test_bad_rows_say_which_field_and_change_nothing(testapp, dbsession, write_key):
    PartyFactory(external_id="P-1")
    base = {"name": "Тарифы", "valid_from": "2026-01-01"}
    body = post(testapp, write_key, {"items": [
        dict(base, external_id="E-1", parties=["P-404"]),
        dict(base, external_id="E-2", groups=["No such group"]),
        dict(base, external_id="E-3", valid_to="2025-12-31"),
        dict(base, external_id="E-4", lines=[dict(ITEMS[0], price="1.23456")]),
        dict(base, external_id="E-5", lines=[dict(ITEMS[0], price="NaN")]),
        dict(base, external_id="E-6", lines=[dict(ITEMS[0], vat_rate="120")]),
        dict(base, external_id="E-7", lines=[dict(ITEMS[0], name="  ")]),
        dict(base, external_id="E-8", currency="rub"),
        dict(base, external_id="E-9", lines=[dict(ITEMS[0], price="-1")]),
        dict(base, external_id="E-10", lines=[dict(ITEMS[0], price="1E+40")]),
        dict(base, external_id="OK", parties=["P-1"]),
    ]})
    assert results(body) == ["error"] * 10 + ["created"]
    fields = [e["errors"][0]["field"] for e in body["results"][:10]]
    assert fields == ["parties", "groups", "valid_to", "lines.0.price", "lines.0.price", "lines.0.vat_rate",
                      "lines.0.name", "currency", "lines.0.price", "lines.0.price"]
    messages = dict(zip(fields, [e["errors"][0]["message"] for e in body["results"][:10]]))
    assert messages["parties"] == "No party has the external id P-404."
    assert messages["groups"] == "No customer group is named “No such group”."
    assert body["results"][3]["errors"][0]["message"] == "At most 4 decimal places."
    assert set(dbsession.scalars(select(PriceList.external_id))) == {"OK"}


def test_an_end_before_the_start_it_keeps_is_refused(testapp, dbsession, write_key):
    post(testapp, write_key, {"external_id": "PL-3", "name": "x", "valid_from": "2026-01-01", "valid_to": "2026-03-31"})
    body = post(testapp, write_key, {"external_id": "PL-3", "name": "x", "valid_from": "2026-06-01"})
    assert errors(body) == [("valid_to", "The end is before the start.")]
    assert stored(dbsession, "PL-3").valid_from == date(2026, 1, 1)


def test_a_price_list_cannot_be_deleted_and_the_document_lists_it(testapp, write_key, read_key):
    post(testapp, write_key, {"external_id": "PL-4", "name": "x", "valid_from": "2026-01-01"})
    testapp.delete(f"{URL}/PL-4", headers=bearer(write_key), status=405)
    testapp.get(f"{URL}/PL-404", headers=bearer(read_key), status=404)
    doc = testapp.get("/api/v1/openapi.json", headers=bearer(read_key)).json
    assert {"/price_lists", "/price_lists/{external_id}"} <= set(doc["paths"])
    schema = doc["components"]["schemas"]["price_lists"]
    assert set(schema["properties"]) == {n.name for n in PriceListApiSchema().children}
    assert schema["required"] == ["external_id", "name", "valid_from"]
    assert schema["properties"]["lines"]["items"]["required"] == ["name", "unit", "price", "vat_rate"]
