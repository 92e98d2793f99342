"""Two parties, each with a supply point open for self-readings and a day/night meter read a month
ago; their customers, staff, and browsers logged in as any of them."""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
import webtest
from sqlalchemy import func, select

from portal.utility.models import Reading
from tests.conftest import login
from tests.factories import ContractFactory, ManagerAssignmentFactory, PartyFactory, customer, staff
from tests.factories.utility import SupplyPointFactory, accepted, day_night_meter

TODAY = datetime.now(timezone.utc).date()  # the tests' company time zone is UTC
MONTH_AGO = TODAY - timedelta(days=31)


@dataclass
class World:
    party: object
    other: object
    point: object
    meter: object
    other_point: object
    other_meter: object
    other_reading: object
    author: object
    outsider: object
    backoffice: object
    manager: object
    manager_other: object
    head: object

    def url(self, party=None, *parts):
        party = party or self.party
        return f"/p/{party.id}/" + "".join(f"{p}/" for p in parts)

    @property
    def form_url(self):
        return f"/p/{self.party.id}/supply-points/{self.point.id}/readings/new"


@pytest.fixture
def world(dbsession):
    party = PartyFactory(name="Metered Energo")
    other = PartyFactory(name="Hidden Vodokanal")
    point = SupplyPointFactory(party=party, address="Lenina 1, switchboard", contract=ContractFactory(party=party))
    meter = day_night_meter(dbsession, point, serial="DAYNIGHT-0001")
    accepted(dbsession, meter, MONTH_AGO, T1="1000", T2="500")
    other_point = SupplyPointFactory(party=other, address="Secret quay 9, pump house", external_id="SECRET-SP-9")
    other_meter = day_night_meter(dbsession, other_point, serial="SECRET-METER-9")
    other_reading = accepted(dbsession, other_meter, MONTH_AGO, T1="777", T2="333")
    manager, manager_other = staff("manager", last_name="Mine"), staff("manager", last_name="Theirs")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    ManagerAssignmentFactory(user_id=manager_other.id, party_id=other.id)
    dbsession.flush()
    return World(party, other, point, meter, other_point, other_meter, other_reading,
                 author=customer(party, last_name="Reader"), outsider=customer(other, last_name="Outsider"),
                 backoffice=staff("backoffice", last_name="Clerk"), manager=manager, manager_other=manager_other,
                 head=staff("head", last_name="Boss"))


@pytest.fixture
def browser(app, testapp):
    """``browser(user)``: a fresh browser logged in as ``user``, sharing the test's transaction."""

    def open_as(user, the_app=None):
        b = webtest.TestApp(the_app or app, extra_environ=dict(testapp.extra_environ))
        login(b, user.login)
        return b

    return open_as


def readings_of(dbsession, meter) -> int:
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(Reading).where(Reading.meter_id == meter.id))


def reading_form(page, meter):
    return page.forms[f"reading-{meter.id}"]


def send(b, world, *, day=None, t1="", t2="", comment="", meter=None, status=None, url=None):
    """Fill the meter's form as a person would and send it."""
    meter = meter or world.meter
    page = b.get(url or world.form_url)
    form = reading_form(page, meter)
    form["reading_date"] = (day or TODAY).isoformat() if not isinstance(day, str) else day
    names = {r.code: f"r{r.id}" for r in meter.registers}
    form[names["T1"]] = t1
    form[names["T2"]] = t2
    form["comment"] = comment
    return form.submit("submit", status=status or "*")


def messages(page) -> str:
    """The form's error texts, one string."""
    return " ".join(e.get_text(" ", strip=True) for e in page.html.select(".invalid-feedback, .error-msg, .issues"))


def text_of(page) -> str:
    return re.sub(r"\s+", " ", page.html.get_text(" "))
