"""Supply points, meters and the accounting system's readings through ``/api/v1/``: created, unchanged,
updated, refused per row, read back, and soft-deleted where they can be (points terminated, meters
removed; readings cannot)."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.audit.models import AuditEntry
from portal.utility.models import Meter, Reading, ReadingOrigin, SupplyPoint
from tests.factories import ContractFactory, PartyFactory
from tests.functional.api.conftest import bearer
from tests.functional.api.test_finance import first_errors, post, results, stored

POINTS, METERS, READINGS = "/api/v1/supply_points", "/api/v1/meters", "/api/v1/readings"
TODAY = date.today()


@pytest.fixture
def parties(dbsession):
    acme, other = PartyFactory(external_id="U-ACME"), PartyFactory(external_id="U-OTHER")
    ContractFactory(party=acme, external_id="U-K-1", number="K-1")
    ContractFactory(party=other, external_id="U-K-OTHER", number="K-9")
    return acme, other


def point_row(external_id="U-SP-1", **kw):
    return {"external_id": external_id, "party": "U-ACME", "contract": "U-K-1", "address": "Main street 1",
            "medium": "electricity", "tariff": "Day/night", "self_readings": False, **kw}


def meter_row(external_id="U-M-1", **kw):
    return {"external_id": external_id, "supply_point": "U-SP-1", "serial_number": "SN-1",
            "installed_on": "2024-01-01",
            "registers": [{"code": "T1", "name": "Day", "unit": "kWh", "integer_digits": 6, "decimals": 1,
                           "expected_daily": "10"},
                          {"code": "T2", "name": "Night", "unit": "kWh"}], **kw}


def reading_row(external_id="U-R-1", on=TODAY - timedelta(days=40), t1="1000", t2="500", **kw):
    return {"external_id": external_id, "meter": "U-M-1", "reading_date": on.isoformat(),
            "values": [{"register": "T2", "value": t2}, {"register": "T1", "value": t1}], **kw}


@pytest.fixture
def meter(testapp, write_key, parties):
    post(testapp, write_key, POINTS, point_row())
    post(testapp, write_key, METERS, meter_row())


# --- supply points ------------------------------------------------------------------------------
def test_a_supply_point_is_created_unchanged_updated_and_terminated(testapp, dbsession, write_key, parties):
    assert results(post(testapp, write_key, POINTS, point_row())) == ["created"]
    point = stored(dbsession, SupplyPoint, "U-SP-1")
    assert (point.party.external_id, point.contract.external_id, point.state, point.self_readings) == (
        "U-ACME", "U-K-1", "active", False)
    assert results(post(testapp, write_key, POINTS, point_row())) == ["unchanged"]
    assert results(post(testapp, write_key, POINTS, point_row(self_readings=True, tariff=None))) == ["updated"]
    point = stored(dbsession, SupplyPoint, "U-SP-1")
    assert point.self_readings and point.tariff == ""
    assert dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "supply_point.self_readings",
                                                      AuditEntry.target == f"supply_point:{point.id}")).first()
    assert testapp.get(f"{POINTS}/U-SP-1", headers=bearer(write_key)).json == {
        "external_id": "U-SP-1", "party": "U-ACME", "contract": "U-K-1", "address": "Main street 1",
        "medium": "electricity", "tariff": None, "state": "active", "self_readings": True}
    assert testapp.delete(f"{POINTS}/U-SP-1", headers=bearer(write_key)).json["result"] == "deleted"
    assert stored(dbsession, SupplyPoint, "U-SP-1").state == "terminated"


def test_bad_supply_point_rows_are_refused_one_by_one(testapp, dbsession, write_key, parties):
    post(testapp, write_key, POINTS, point_row("U-SP-9"))
    response = post(testapp, write_key, POINTS, {"items": [
        point_row("U-SP-1", medium="steam"), point_row("U-SP-2", party="U-NOBODY"),
        point_row("U-SP-3", contract="U-K-OTHER"), point_row("U-SP-9", party="U-OTHER", contract=None),
        point_row("U-SP-4", state="gone"), point_row("U-SP-5", contract="U-K-LATER")]})
    assert results(response) == ["error"] * 5 + ["created"]
    assert [e[0] for e in first_errors(response)[:5]] == ["medium", "party", "contract", "party", "state"]
    assert first_errors(response)[2][1] == "The contract U-K-OTHER is another party's."
    assert response.json["results"][5]["warnings"][0]["field"] == "contract"
    assert stored(dbsession, SupplyPoint, "U-SP-5").contract_id is None
    assert stored(dbsession, SupplyPoint, "U-SP-1") is None


# --- meters -------------------------------------------------------------------------------------
def test_a_meter_keeps_its_registers_by_code_and_is_removed_by_delete(testapp, dbsession, write_key, meter):
    meter = stored(dbsession, Meter, "U-M-1")
    ids = {r.code: r.id for r in meter.registers}
    assert [(r.code, r.integer_digits, r.decimals, r.expected_daily) for r in meter.registers] == [
        ("T1", 6, 1, Decimal("10")), ("T2", 6, 0, None)]
    assert results(post(testapp, write_key, METERS, meter_row())) == ["unchanged"]
    swapped = meter_row(registers=[{"code": "T2", "name": "Night", "unit": "kWh", "integer_digits": 7},
                                   {"code": "T1", "name": "Day", "unit": "kWh", "decimals": 1},
                                   {"code": "T3", "name": "Peak", "unit": "kWh"}])
    assert results(post(testapp, write_key, METERS, swapped)) == ["updated"]
    meter = stored(dbsession, Meter, "U-M-1")
    assert [r.code for r in meter.registers] == ["T2", "T1", "T3"]
    assert {r.code: r.id for r in meter.registers if r.code != "T3"} == ids
    read = testapp.get(f"{METERS}/U-M-1", headers=bearer(write_key)).json
    assert (read["supply_point"], read["removed_on"], read["registers"][0]["integer_digits"]) == ("U-SP-1", None, 7)
    testapp.delete(f"{METERS}/U-M-1", headers=bearer(write_key))
    assert stored(dbsession, Meter, "U-M-1").removed_on == TODAY


def test_bad_meter_rows_are_refused(testapp, dbsession, write_key, meter):
    post(testapp, write_key, READINGS, reading_row())
    response = post(testapp, write_key, METERS, {"items": [
        meter_row("U-M-2", supply_point="U-SP-404"),
        meter_row("U-M-3", installed_on="2024-01-01", removed_on="2023-01-01"),
        {k: v for k, v in meter_row("U-M-4").items() if k != "registers"},
        meter_row("U-M-5", registers=[{"code": "T1", "name": "a", "unit": "u"}, {"code": "T1", "name": "b",
                                                                                "unit": "u"}]),
        meter_row("U-M-6", registers=[{"code": "T1", "name": "a", "unit": "u", "integer_digits": 13}]),
        meter_row("U-M-1", registers=[{"code": "T1", "name": "Day", "unit": "kWh", "decimals": 1}]),
        meter_row("U-M-7", serial_number="SN-7"),
    ]})
    assert results(response) == ["error"] * 6 + ["created"]
    assert [e[0] for e in first_errors(response)[:6]] == ["supply_point", "removed_on", "registers", "registers",
                                                          "registers.0.integer_digits", "registers"]
    assert first_errors(response)[5][1] == "The register T2 has readings; it cannot be dropped."
    assert [r.code for r in stored(dbsession, Meter, "U-M-1").registers] == ["T1", "T2"]


# --- readings -----------------------------------------------------------------------------------
def test_readings_are_recorded_as_the_companys_and_the_latest_can_be_corrected(testapp, dbsession, write_key,
                                                                                 meter):
    first, second = TODAY - timedelta(days=40), TODAY - timedelta(days=10)
    assert results(post(testapp, write_key, READINGS, {"items": [
        reading_row(), reading_row("U-R-2", on=second, t1="1300.5", t2="650")]})) == ["created", "created"]
    reading = stored(dbsession, Reading, "U-R-2")
    assert (reading.state, reading.origin, reading.previous_on) == ("accepted", ReadingOrigin.accounting, first)
    assert [(v.register.code, v.value, v.consumption) for v in reading.values] == [
        ("T1", Decimal("1300.5"), Decimal("300.5")), ("T2", Decimal("650"), Decimal("150"))]
    assert results(post(testapp, write_key, READINGS, reading_row("U-R-2", on=second, t1="1300.5",
                                                                  t2="650"))) == ["unchanged"]
    assert results(post(testapp, write_key, READINGS, reading_row("U-R-2", on=second, t1="1290",
                                                                  t2="650"))) == ["updated"]
    reading = stored(dbsession, Reading, "U-R-2")
    assert [(v.value, v.consumption) for v in reading.values][0] == (Decimal("1290"), Decimal("290"))
    earlier = post(testapp, write_key, READINGS, reading_row(t1="999"))
    assert first_errors(earlier) == [("reading_date", "A later reading of this meter has been recorded: only the "
                                                      "latest one can be corrected.")]
    assert testapp.get(f"{READINGS}/U-R-2", headers=bearer(write_key)).json == {
        "external_id": "U-R-2", "meter": "U-M-1", "reading_date": second.isoformat(),
        "values": [{"register": "T1", "value": "1290.0000"}, {"register": "T2", "value": "650.0000"}]}
    response = testapp.delete(f"{READINGS}/U-R-2", headers=bearer(write_key), status=405)
    assert "cannot be deleted" in response.json["error"]["message"]


def test_bad_readings_are_refused_without_review(testapp, dbsession, write_key, meter):
    post(testapp, write_key, READINGS, reading_row())
    later = TODAY - timedelta(days=5)
    response = post(testapp, write_key, READINGS, {"items": [
        reading_row("U-R-2", on=later, t1="900"),
        reading_row("U-R-3", on=TODAY + timedelta(days=2)),
        reading_row("U-R-4", on=later, values=[{"register": "T1", "value": "1100"}, {"register": "T9", "value": 1}]),
        reading_row("U-R-5", on=later, values=[{"register": "T1", "value": "1100"}]),
        reading_row("U-R-6", on=later, t1="1000000"),
        reading_row("U-R-7", on=TODAY - timedelta(days=40)),
        reading_row("U-R-8", meter="U-M-404"),
        reading_row("U-R-9", on=later, t2="-1"),
        reading_row("U-R-10", on=later, t1="1100", t2="520"),
    ]})
    assert results(response) == ["error"] * 8 + ["created"]
    fields = [e[0] for e in first_errors(response)[:8]]
    assert fields == ["values.T1", "reading_date", "values", "values", "values.T1", "reading_date", "meter",
                      "values.0.value"]
    messages = [e[1] for e in first_errors(response) if e]
    assert messages[1] == "The date cannot be in the future."
    assert messages[2] == "The meter has no register T9."
    assert messages[4] == "The meter shows at most 6 digits before the decimal point."
    assert {r.external_id for r in dbsession.scalars(select(Reading).where(Reading.external_id.like("U-R-%")))} == {
        "U-R-1", "U-R-10"}


def test_the_demos_readings_are_the_accounting_systems_sent_again_unchanged(testapp, dbsession, write_key,
                                                                           app_settings):
    from portal.identity.passwords import password_service_from_settings
    from portal.scripts import demo
    from portal.utility import demo as utility_demo

    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    utility_demo.load_demo(dbsession, app_settings)
    reading = dbsession.scalars(select(Reading).where(Reading.external_id.like("DEMO-YUG/M-1/R/%"))
                                .order_by(Reading.reading_date.desc())).first()
    row = {"external_id": reading.external_id, "meter": "DEMO-YUG/M-1", "reading_date": reading.reading_date.isoformat(),
           "values": [{"register": v.register.code, "value": str(v.value)} for v in reading.values]}
    assert results(post(testapp, write_key, READINGS, row)) == ["unchanged"]
