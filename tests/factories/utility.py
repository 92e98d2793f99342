"""Supply points with their meters and registers, and readings recorded through the utility's service
(so their consumption and history are what the portal would record)."""
from datetime import date
from decimal import Decimal

import factory

from portal.utility.models import Meter, Register, SupplyPoint
from portal.utility.services import record_accepted_reading
from portal.workflows.services import WorkflowService
from tests.factories import Base, PartyFactory, registered


@registered
class SupplyPointFactory(Base):
    class Meta:
        model = SupplyPoint

    party = factory.SubFactory(PartyFactory)
    address = factory.Sequence(lambda n: f"Meter lane {n}, building {n % 7 + 1}")
    medium = "electricity"
    tariff = "Day/night"
    self_readings = True
    external_id = factory.Sequence(lambda n: f"SP-{n:05d}")


@registered
class MeterFactory(Base):
    class Meta:
        model = Meter

    party_id = factory.LazyAttribute(lambda m: m.supply_point.party_id)
    supply_point = factory.SubFactory(SupplyPointFactory)
    serial_number = factory.Sequence(lambda n: f"SN-{n:06d}")
    installed_on = date(2024, 1, 1)


@registered
class RegisterFactory(Base):
    class Meta:
        model = Register

    meter = factory.SubFactory(MeterFactory)
    code = "T1"
    name = "Day"
    integer_digits = 6
    decimals = 1
    unit = "kWh"
    expected_daily = Decimal("10")


def day_night_meter(session, point, *, serial=None, day=Decimal("10"), night=Decimal("5"), digits=6, decimals=1):
    """A meter at ``point`` with a day (T1) and a night (T2) register, usual ``day`` and ``night`` a day."""
    meter = MeterFactory(supply_point=point, **({"serial_number": serial} if serial else {}))
    RegisterFactory(meter=meter, code="T1", name="Day", expected_daily=day, integer_digits=digits,
                    decimals=decimals, position=0)
    RegisterFactory(meter=meter, code="T2", name="Night", expected_daily=night, integer_digits=digits,
                    decimals=decimals, position=1)
    session.refresh(meter)
    return meter


def accepted(session, meter, on: date, **values):
    """An accepted reading of ``meter`` on ``on`` with ``values`` by register code (T1="1000")."""
    service = WorkflowService(session, actor_id=None, permits=lambda p, r: True, notify=None)
    return record_accepted_reading(service, session, meter=meter, reading_date=on,
                                   values={code: Decimal(v) for code, v in values.items()})
