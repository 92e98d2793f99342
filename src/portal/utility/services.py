"""Supply points and readings: the meters a form shows, sending a self-reading through the checks
and the workflow, recording the accounting system's readings, the consumption history, the staff's
self-readings switch and the review queue.

Nothing here knows HTTP: the views pass the session, the workflow service, the
audit service, the policy and the day it is in the company's time zone.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased, selectinload

from portal.formats import format_date
from portal.i18n import _
from portal.parties.models import ManagerAssignment, Party
from portal.security.roles import sees_every_party
from portal.utility.models import Meter, Reading, ReadingOrigin, ReadingValue, SupplyPoint
from portal.utility.plausibility import DATE, FORM, Check, PreviousReading, RegisterSpec, check_reading
from portal.utility.policy import ReadingPolicy
from portal.utility.workflow import FOR_REVIEW, READING, SUBMITTED
from portal.workflows.engine import TransitionContext

ACCEPTED = "accepted"
MAX_COMMENT = 2000


class ReadingRefused(Exception):
    """A reading that is not taken: ``errors`` by field (a register's code, ``DATE``, ``FORM``),
    translatable; ``issues`` what is implausible when it was refused for want of a comment."""

    def __init__(self, errors: dict, issues=()):
        super().__init__("reading refused")
        self.errors = dict(errors)
        self.issues = list(issues)


@dataclass(frozen=True)
class Submitted:
    """A reading that was taken, and whether it was accepted at once."""

    reading: Reading
    accepted: bool


def active_meters(session, point: SupplyPoint) -> list[Meter]:
    """The meters in use at the point, with their registers, in the order they are shown."""
    return session.scalars(
        select(Meter).where(Meter.supply_point_id == point.id, Meter.party_id == point.party_id,
                            Meter.removed_on.is_(None))
        .options(selectinload(Meter.registers)).order_by(Meter.id)
    ).all()


def last_accepted(session, meter_ids) -> dict[int, Reading]:
    """Each meter's latest accepted reading (with its values), by meter id."""
    meter_ids = sorted(set(meter_ids))
    if not meter_ids:
        return {}
    latest = aliased(Reading)
    newest_day = (select(func.max(latest.reading_date))
                  .where(latest.meter_id == Reading.meter_id, latest.state == ACCEPTED)
                  .correlate(Reading).scalar_subquery())
    rows = session.scalars(
        select(Reading).where(Reading.meter_id.in_(meter_ids), Reading.state == ACCEPTED,
                              Reading.reading_date == newest_day)
        .options(selectinload(Reading.values))
    ).all()
    return {r.meter_id: r for r in rows}


def waiting_readings(session, meter_ids) -> dict[int, Reading]:
    """The reading of each meter still waiting for review, by meter id."""
    meter_ids = sorted(set(meter_ids))
    if not meter_ids:
        return {}
    rows = session.scalars(select(Reading).where(Reading.meter_id.in_(meter_ids), Reading.state == SUBMITTED)
                           .order_by(Reading.id)).all()
    return {r.meter_id: r for r in rows}


def register_specs(meter: Meter) -> list[RegisterSpec]:
    return [RegisterSpec(r.code, r.integer_digits, r.decimals, r.expected_daily, r.name, r.unit)
            for r in meter.registers]


def previous_reading(meter: Meter, reading: Reading | None) -> PreviousReading | None:
    """What the checks compare with: the reading's day and its values by register code."""
    if reading is None:
        return None
    codes = {r.id: r.code for r in meter.registers}
    return PreviousReading(reading.reading_date,
                           {codes[v.register_id]: v.value for v in reading.values if v.register_id in codes})


def _lock(session, meter: Meter) -> None:
    """Readings of one meter are taken one at a time: two tabs sending at once see each other's."""
    session.execute(select(Meter.id).where(Meter.id == meter.id).with_for_update()).one()


def _new_reading(meter: Meter, check: Check, *, reading_date, author_id, comment, origin) -> Reading:
    reading = Reading(party_id=meter.party_id, meter_id=meter.id, reading_date=reading_date, author_id=author_id,
                      comment=comment, origin=origin, plausible=check.plausible,
                      previous_on=check.previous.on if check.previous is not None else None)
    reading.values = _checked_values(meter, check)
    return reading


def _checked_values(meter: Meter, check: Check) -> list[ReadingValue]:
    """Each register's value with what the checks found of it, in the meter's order."""
    values = []
    for position, register in enumerate(meter.registers):
        result = check.results[register.code]
        values.append(ReadingValue(register_id=register.id, position=position, value=result.value,
                                   consumption=result.consumption, expected=result.expected,
                                   rollover=result.rollover))
    return values


def _create(workflow_service, session, reading: Reading, locale, *, for_review: bool) -> None:
    """Start the reading's workflow (``for_review``: it will wait for staff, who hear of it); a
    reading of that day taken meanwhile refuses it (the unique index)."""
    try:
        with session.begin_nested():
            workflow_service.create(READING, reading, comment=reading.comment, **{FOR_REVIEW: for_review})
    except IntegrityError:
        raise ReadingRefused({DATE: _("There is already a reading of this meter on ${date}: one a day.",
                                      mapping={"date": format_date(reading.reading_date, locale)})}) from None


def _auto_accept(session, reading: Reading) -> None:
    """Accepted by the rule, on submission. No notice: the submitter reads the outcome on the page
    they sent it from, and a notice or an e-mail of the same moment would tell them nothing new."""
    READING.apply(reading, "auto_accept", TransitionContext(session=session, actor_id=None),
                  permits=lambda permission: True, notify=None)


def submit_reading(workflow_service, session, *, meter: Meter, author_id, reading_date: date, typed: dict,
                   comment: str, policy: ReadingPolicy, today: date, locale: str) -> Submitted:
    """A customer's self-reading of ``meter``: checked (utility/plausibility.py), then created as
    submitted; accepted at once when plausible and the policy says so, else left for review.

    Raises ReadingRefused, having stored nothing, when the checks refuse it, when
    it is implausible and comes without a comment, or while an earlier reading
    of the meter waits for review.
    """
    _lock(session, meter)
    waiting = waiting_readings(session, [meter.id]).get(meter.id)
    if waiting is not None:
        raise ReadingRefused({FORM: _(
            "The reading of ${date} is still being reviewed; you can send the next one once it is decided.",
            mapping={"date": format_date(waiting.reading_date, locale)})})
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise ReadingRefused({"comment": _("At most ${max} characters.", mapping={"max": MAX_COMMENT})})
    previous = previous_reading(meter, last_accepted(session, [meter.id]).get(meter.id))
    check = check_reading(register_specs(meter), typed, reading_date=reading_date, today=today,
                          previous=previous, tolerance=policy.tolerance, locale=locale)
    if not check.ok:
        raise ReadingRefused(check.errors)
    if check.plausible is False and not comment:
        raise ReadingRefused({"comment": _(
            "This reading is far from the usual consumption. Check it; if it is right, say why in a comment "
            "and send it again: our staff will review it.")}, check.issues())
    reading = _new_reading(meter, check, reading_date=reading_date, author_id=author_id, comment=comment,
                           origin=ReadingOrigin.customer.value)
    accepted = bool(check.plausible) and policy.auto_accept
    _create(workflow_service, session, reading, locale, for_review=not accepted)
    if accepted:
        _auto_accept(session, reading)
    return Submitted(reading, accepted)


def record_accepted_reading(workflow_service, session, *, meter: Meter, reading_date: date, values: dict) -> Reading:
    """A reading the company took (the accounting system's, an installation reading): accepted as it
    is, its consumption counted from the previous accepted reading. ``values``: register code -> Decimal."""
    _lock(session, meter)
    previous = previous_reading(meter, last_accepted(session, [meter.id]).get(meter.id))
    check = check_reading(register_specs(meter), {code: format(value, "f") for code, value in values.items()},
                          reading_date=reading_date, today=reading_date, previous=previous,
                          tolerance=ReadingPolicy().tolerance)
    if not check.ok:
        raise ReadingRefused(check.errors)
    reading = _new_reading(meter, check, reading_date=reading_date, author_id=None, comment="",
                           origin=ReadingOrigin.accounting.value)
    _create(workflow_service, session, reading, "en", for_review=False)
    _auto_accept(session, reading)
    return reading


def correct_recorded_reading(session, reading: Reading, *, reading_date: date, values: dict) -> Reading:
    """The accounting system's correction of a reading it recorded: new values (and day), their
    consumption counted again from the accepted reading before it. Only a meter's latest reading can
    be corrected, for a later one counted its own consumption from this one; ``values`` as for
    ``record_accepted_reading``. Raises ReadingRefused, having changed nothing."""
    meter = reading.meter
    _lock(session, meter)
    others = (Reading.meter_id == meter.id, Reading.id != reading.id, Reading.state != "rejected")
    if session.scalars(select(Reading.id).where(*others, Reading.reading_date >= reading.reading_date)
                       .limit(1)).first() is not None:
        raise ReadingRefused({DATE: _("A later reading of this meter has been recorded: only the latest one "
                                      "can be corrected.")})
    before = session.scalars(select(Reading).where(*others, Reading.state == ACCEPTED)
                             .options(selectinload(Reading.values)).order_by(Reading.reading_date.desc()).limit(1)
                             ).first()
    check = check_reading(register_specs(meter), {code: format(value, "f") for code, value in values.items()},
                          reading_date=reading_date, today=reading_date, previous=previous_reading(meter, before),
                          tolerance=ReadingPolicy().tolerance)
    if not check.ok:
        raise ReadingRefused(check.errors)
    reading.values.clear()
    session.flush()  # the old values go first: the new ones take their keys
    reading.reading_date, reading.plausible = reading_date, check.plausible
    reading.previous_on = check.previous.on if check.previous is not None else None
    reading.values = _checked_values(meter, check)
    session.flush()
    return reading


def consumption_history(session, meter: Meter, limit: int = 24) -> list[Reading]:
    """The meter's last ``limit`` accepted readings, oldest first, with their values."""
    newest = session.scalars(
        select(Reading).where(Reading.meter_id == meter.id, Reading.party_id == meter.party_id,
                              Reading.state == ACCEPTED)
        .options(selectinload(Reading.values))
        .order_by(Reading.reading_date.desc()).limit(limit)
    ).all()
    return list(reversed(newest))


def set_self_readings(audit, point: SupplyPoint, allowed: bool) -> bool:
    """Staff switch self-readings on or off for a supply point (audited); whether anything changed."""
    if point.self_readings == allowed:
        return False
    point.self_readings = allowed
    audit.record("supply_point.self_readings", f"supply_point:{point.id}", party_id=point.party_id,
                 allowed=allowed)
    return True


CONTRACT_OWNER = "contract"  # the attachments' owner_type of a contract's document


def contract_document(attachments, point: SupplyPoint):
    """The newest stored document of the point's contract (an attachment owned by the contract, of
    the point's party), or None."""
    if point.contract_id is None:
        return None
    documents = [a for a in attachments.for_owner(CONTRACT_OWNER, point.contract_id) if a.party_id == point.party_id]
    return documents[-1] if documents else None


def review_queue(identity):
    """Readings waiting for review that this member of staff sees, unsorted: rows of
    (Reading, party_name, address, serial_number). A manager's scope is a subquery on his
    assignments, so paging and counting stay in the database."""
    statement = (
        select(Reading, Party.name.label("party_name"), SupplyPoint.address.label("address"),
               Meter.serial_number.label("serial_number"))
        .join(Party, Party.id == Reading.party_id)
        .join(Meter, Meter.id == Reading.meter_id)
        .join(SupplyPoint, SupplyPoint.id == Meter.supply_point_id)
        .where(Reading.state == SUBMITTED)
    )
    if not sees_every_party(identity):
        managed = select(ManagerAssignment.party_id).where(ManagerAssignment.user_id == identity.user.id)
        statement = statement.where(Reading.party_id.in_(managed.scalar_subquery()))
    return statement


def party_readings(party_id):
    """The party's readings, unsorted: rows of (Reading, address, serial_number, supply_point_id)."""
    return (
        select(Reading, SupplyPoint.address.label("address"), Meter.serial_number.label("serial_number"),
               SupplyPoint.id.label("supply_point_id"))
        .join(Meter, Meter.id == Reading.meter_id)
        .join(SupplyPoint, SupplyPoint.id == Meter.supply_point_id)
        .where(Reading.party_id == party_id)
    )
