"""The utility's demo: Sever Energo's supply points in Russian, Yug Vodokanal's in English, each
with a year of monthly readings and a contract document; a second run adds nothing."""
import re
from datetime import date

import pytest
from sqlalchemy import func, select

from portal.identity.passwords import password_service_from_settings
from portal.parties.models import Party
from portal.scripts import demo
from portal.utility import demo as utility_demo
from portal.utility.models import Meter, Reading, Register, SupplyPoint
from tests.conftest import login

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


@pytest.fixture
def loaded(dbsession, app_settings):
    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    utility_demo.load_demo(dbsession, app_settings)
    dbsession.flush()
    return {p.external_id: p for p in dbsession.scalars(select(Party).where(Party.external_id.like("DEMO-%")))}


def points_of(dbsession, party):
    return dbsession.scalars(select(SupplyPoint).where(SupplyPoint.party_id == party.id)
                             .order_by(SupplyPoint.external_id)).all()


def counts(dbsession):
    return tuple(dbsession.scalar(select(func.count()).select_from(m)) for m in (SupplyPoint, Meter, Register, Reading))


def test_sever_energo_has_electricity_in_russian_one_point_open_for_self_readings(dbsession, loaded):
    points = points_of(dbsession, loaded["DEMO-SEVER-ENERGO"])
    assert {p.medium for p in points} == {"electricity"} and [p.self_readings for p in points] == [True, False]
    assert all(CYRILLIC.search(p.address) and CYRILLIC.search(p.tariff) for p in points)
    day_night = dbsession.scalars(select(Register).join(Meter).where(Meter.supply_point_id == points[0].id)
                                  .order_by(Register.position)).all()
    assert [r.name for r in day_night] == ["День", "Ночь"]


def test_yug_has_water_in_english_open_for_self_readings(dbsession, loaded):
    (point,) = points_of(dbsession, loaded["DEMO-YUG"])
    assert point.medium == "water" and point.self_readings and not CYRILLIC.search(point.address + point.tariff)


def test_every_meter_has_a_year_of_monthly_accepted_readings(dbsession, loaded):
    for meter in dbsession.scalars(select(Meter).where(Meter.external_id.like("DEMO-%"))):
        readings = dbsession.scalars(select(Reading).where(Reading.meter_id == meter.id)
                                     .order_by(Reading.reading_date)).all()
        assert len(readings) == 13 and {r.state for r in readings} == {"accepted"}
        months = {(r.reading_date.year, r.reading_date.month) for r in readings}
        assert len(months) == 13 and readings[-1].reading_date < date.today()
        assert all(v.consumption is not None for r in readings[1:] for v in r.values)


def test_running_it_again_adds_nothing(dbsession, loaded, app_settings):
    before = counts(dbsession)
    utility_demo.load_demo(dbsession, app_settings)
    assert counts(dbsession) == before


def test_the_demo_customer_reads_the_history_and_downloads_the_contract(app, testapp, dbsession, loaded):
    energo = loaded["DEMO-SEVER-ENERGO"]
    point = points_of(dbsession, energo)[0]
    login(testapp, "energo", demo.DEMO_PASSWORD)
    page = testapp.get(f"/p/{energo.id}/supply-points/{point.id}/")
    assert page.html.select_one("figure.chart svg") is not None
    assert len(page.html.select("table.history tbody tr")) == 13
    assert testapp.get(f"/p/{energo.id}/supply-points/{point.id}/contract").body.startswith(b"%PDF-")
    assert testapp.get(f"/p/{energo.id}/supply-points/{point.id}/readings/new").forms
