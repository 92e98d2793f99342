"""Supply points, meters and the accounting system's meter readings as entities of the integration API
(``/api/v1/supply_points``, ``/api/v1/meters``, ``/api/v1/readings``).

A meter's registers are matched by code, so that a register keeps its readings when the meter is
sent again; a register that has readings cannot be dropped. Readings are recorded as the company's
own (accepted at once, not reviewed as a customer's are) through the same service as the demo's,
which still refuses bad data: an unknown register, a day in the future, a value the meter cannot
show or lower than the previous reading. The schemas live here, with the only code that reads them.
"""
from datetime import datetime

import colander
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from portal.api.entities import RowError
from portal.api.nodes import (
    choice_node,
    decimal_node,
    external_id_node,
    list_node,
    optional_date,
    optional_flag,
    optional_text,
    reference_node,
    sorted_by,
    text_node,
    unique_in_list,
)
from portal.api.references import by_external_id, external_id_of, linked_contract, referenced, referenced_party, unmoved
from portal.audit.services import DatabaseAuditService
from portal.i18n import _
from portal.utility.models import (
    MAX_DECIMALS,
    MAX_INTEGER_DIGITS,
    Medium,
    Meter,
    Reading,
    ReadingValue,
    Register,
    SupplyPoint,
    SupplyPointState,
)
from portal.utility.plausibility import DATE, FORM
from portal.utility.services import ReadingRefused, correct_recorded_reading, record_accepted_reading, set_self_readings
from portal.workflows.services import WorkflowService

MAX_REGISTERS = 16


# --- schemas -------------------------------------------------------------------------------
class SupplyPointApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    party = external_id_node(title=_("Party (external id)"))
    contract = reference_node(title=_("Contract (external id)"))
    address = text_node(300, title=_("Address"))
    medium = choice_node(Medium, title=_("Medium"))
    tariff = optional_text(100, title=_("Tariff"))
    state = choice_node(SupplyPointState, missing=colander.drop, title=_("State"))
    self_readings = optional_flag(title=_("Customers may send self-readings"))


class RegisterApiSchema(colander.MappingSchema):
    code = text_node(16, title=_("Code"))
    name = text_node(100, title=_("Name"))
    integer_digits = colander.SchemaNode(colander.Integer(), missing=6, title=_("Digits before the decimal point"),
                                         validator=colander.Range(min=1, max=MAX_INTEGER_DIGITS))
    decimals = colander.SchemaNode(colander.Integer(), missing=0, title=_("Digits after the decimal point"),
                                   validator=colander.Range(min=0, max=MAX_DECIMALS))
    unit = text_node(16, title=_("Unit"))
    expected_daily = decimal_node(14, 4, positive=True, missing=None, title=_("Usual consumption a day"))


def _installed_before_removed(node, values):
    if values.get("installed_on") and values.get("removed_on") and values["removed_on"] < values["installed_on"]:
        raise colander.Invalid(node["removed_on"], _("The end is before the start."))


class MeterApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    supply_point = external_id_node(title=_("Supply point (external id)"))
    serial_number = text_node(64, title=_("Serial number"))
    installed_on = optional_date(title=_("Installed on"))
    removed_on = optional_date(title=_("Removed on"))
    registers = list_node(
        RegisterApiSchema(name="register"), max_items=MAX_REGISTERS,
        validator=unique_in_list("code", _("Each register code comes once."), max_items=MAX_REGISTERS),
        title=_("Registers, in the order they are shown (matched by code when sent again)"))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_installed_before_removed, **kw)


class ReadingValueApiSchema(colander.MappingSchema):
    register = text_node(16, title=_("Register (code)"))
    value = decimal_node(MAX_INTEGER_DIGITS + MAX_DECIMALS, MAX_DECIMALS, minimum=0, title=_("Value"))


class ReadingApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    meter = external_id_node(title=_("Meter (external id)"))
    reading_date = colander.SchemaNode(colander.Date(), title=_("Day of the reading"))
    values = colander.SchemaNode(
        colander.Sequence(), ReadingValueApiSchema(name="value"), preparer=sorted_by("register"),
        validator=unique_in_list("register", _("Each register comes once."), max_items=MAX_REGISTERS),
        title=_("Every register's value"))


# --- supply points -------------------------------------------------------------------------
def find_supply_point(db, external_id):
    return by_external_id(db, SupplyPoint, external_id, joinedload(SupplyPoint.party),
                          joinedload(SupplyPoint.contract))


def supply_point_values(point: SupplyPoint) -> dict:
    return {"external_id": point.external_id, "party": point.party.external_id,
            "contract": external_id_of(point.contract), "address": point.address, "medium": point.medium,
            "tariff": point.tariff or None, "state": point.state, "self_readings": point.self_readings}


def apply_supply_point(db, point, values):
    party = referenced_party(db, values["party"])
    unmoved(point, party, _("The supply point belongs to another party; it cannot move to another."))
    if "contract" in values or point is None:
        contract = linked_contract(db, party, values.get("contract"))
    else:
        contract = point.contract
    if point is None:
        point = SupplyPoint(external_id=values["external_id"], party_id=party.id,
                            self_readings=bool(values.get("self_readings")))
        db.add(point)
    elif values.get("self_readings") is not None:  # staff's switch, and so audited like theirs
        set_self_readings(DatabaseAuditService(db), point, values["self_readings"])
    point.contract_id = contract.id if contract is not None else None
    point.address, point.medium = values["address"], values["medium"]
    if "tariff" in values:
        point.tariff = values["tariff"] or ""
    if values.get("state") is not None:
        point.state = values["state"]
    return point


def terminate_supply_point(db, point):
    """A supply point is never removed: it is terminated (kept with its meters and their history)."""
    point.state = SupplyPointState.terminated.value
    db.flush()


# --- meters --------------------------------------------------------------------------------
REGISTER_FIELDS = ("code", "name", "integer_digits", "decimals", "unit", "expected_daily")


def find_meter(db, external_id):
    return by_external_id(db, Meter, external_id, joinedload(Meter.supply_point), selectinload(Meter.registers))


def meter_values(meter: Meter) -> dict:
    return {"external_id": meter.external_id, "supply_point": meter.supply_point.external_id,
            "serial_number": meter.serial_number, "installed_on": meter.installed_on, "removed_on": meter.removed_on,
            "registers": [{name: getattr(r, name) for name in REGISTER_FIELDS} for r in meter.registers]}


def _set_registers(db, meter: Meter, registers: list) -> None:
    """The meter's registers become ``registers``: matched by code, those not sent dropped unless they
    have readings."""
    kept = {r.code: r for r in meter.registers}
    new = []
    for position, spec in enumerate(registers):
        register = kept.pop(spec["code"], None) or Register(code=spec["code"])
        for name in REGISTER_FIELDS[1:]:
            setattr(register, name, spec[name])
        register.position = position
        new.append(register)
    dropped = [r.id for r in kept.values() if r.id is not None]
    read = db.scalars(select(Register.code).join(ReadingValue, ReadingValue.register_id == Register.id)
                      .where(Register.id.in_(dropped)).limit(1)).first() if dropped else None
    if read is not None:
        raise RowError("registers", _("The register ${code} has readings; it cannot be dropped.",
                                      mapping={"code": read}))
    meter.registers = new


def apply_meter(db, meter, values):
    point = referenced(db, SupplyPoint, "supply_point", values["supply_point"],
                       _("No supply point has the external id ${id}.", mapping={"id": values["supply_point"]}))
    if meter is not None and point.party_id != meter.party_id:
        raise RowError("supply_point", _("The meter cannot move to another party's supply point."))
    if meter is None and not values.get("registers"):
        raise RowError("registers", _("A new meter needs its registers."))
    if meter is None:
        meter = Meter(external_id=values["external_id"], party_id=point.party_id)
        db.add(meter)
    meter.supply_point_id, meter.serial_number = point.id, values["serial_number"]
    for name in ("installed_on", "removed_on"):
        if name in values:
            setattr(meter, name, values[name])
    if meter.installed_on and meter.removed_on and meter.removed_on < meter.installed_on:
        raise RowError("removed_on", _("The end is before the start."))
    if values.get("registers"):
        _set_registers(db, meter, values["registers"])
    return meter


def remove_meter(tz, db, meter):
    """A meter is never deleted: it is removed (today, unless it already was), its readings kept."""
    if meter.removed_on is None:
        meter.removed_on = datetime.now(tz).date()
    db.flush()


# --- readings ------------------------------------------------------------------------------
def find_reading(db, external_id):
    return by_external_id(db, Reading, external_id, joinedload(Reading.meter),
                          selectinload(Reading.values).joinedload(ReadingValue.register))


def reading_values(reading: Reading) -> dict:
    return {"external_id": reading.external_id, "meter": reading.meter.external_id,
            "reading_date": reading.reading_date,
            "values": sorted(({"register": v.register.code, "value": v.value} for v in reading.values),
                             key=lambda v: v["register"])}


def _refusal(refused: ReadingRefused) -> RowError:
    """The first of the checks' refusals, on the field it concerns (``values.<code>`` for a register)."""
    errors = refused.errors
    for key, field in ((DATE, "reading_date"), (FORM, "values")):
        if key in errors:
            return RowError(field, errors[key])
    code, message = sorted(errors.items())[0]
    return RowError(f"values.{code}", message)


def apply_reading(tz, db, reading, values):
    meter = referenced(db, Meter, "meter", values["meter"],
                       _("No meter has the external id ${id}.", mapping={"id": values["meter"]}),
                       selectinload(Meter.registers))
    if reading is not None and reading.meter_id != meter.id:
        raise RowError("meter", _("A reading cannot move to another meter."))
    if values["reading_date"] > datetime.now(tz).date():
        raise RowError("reading_date", _("The date cannot be in the future."))
    codes = {r.code for r in meter.registers}
    for value in values["values"]:
        if value["register"] not in codes:
            raise RowError("values", _("The meter has no register ${code}.", mapping={"code": value["register"]}))
    typed = {value["register"]: value["value"] for value in values["values"]}
    try:
        if reading is not None:
            return correct_recorded_reading(db, reading, reading_date=values["reading_date"], values=typed)
        service = WorkflowService(db, actor_id=None, permits=lambda permission, resource: True, notify=None)
        reading = record_accepted_reading(service, db, meter=meter, reading_date=values["reading_date"],
                                          values=typed)
    except ReadingRefused as refused:
        raise _refusal(refused) from None
    reading.external_id = values["external_id"]
    return reading


def includeme(config):
    """Readings change state only through their workflow, which has no way back from accepted: ``DELETE``
    answers 405 for them."""
    config.include("portal.api.entities")
    registry = config.registry
    config.add_api_entity("supply_points", schema=SupplyPointApiSchema, find=find_supply_point,
                          current=supply_point_values, apply=apply_supply_point, delete=terminate_supply_point,
                          title="Supply point")
    config.add_api_entity("meters", schema=MeterApiSchema, find=find_meter, current=meter_values, apply=apply_meter,
                          delete=lambda db, meter: remove_meter(registry["portal_tz"], db, meter), title="Meter")
    config.add_api_entity("readings", schema=ReadingApiSchema, find=find_reading, current=reading_values,
                          apply=lambda db, reading, values: apply_reading(registry["portal_tz"], db, reading, values),
                          title="Meter reading")
