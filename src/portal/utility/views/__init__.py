"""The utility's pages: supply points (points.py), readings and the self-reading form (readings.py),
the staff's review queue (review.py); and what they share: the words for media and states, and
values written in the page's language."""
from portal.i18n import _
from portal.utility.models import Medium, SupplyPointState
from portal.utility.plausibility import number
from portal.utility.workflow import READING

MEDIA = {
    Medium.electricity: _("Electricity"),
    Medium.gas: _("Gas"),
    Medium.water: _("Water"),
    Medium.heat: _("Heat"),
}
POINT_STATES = {
    SupplyPointState.active: _("Active"),
    SupplyPointState.disconnected: _("Disconnected"),
    SupplyPointState.terminated: _("Terminated"),
}


def medium_title(medium):
    return MEDIA.get(medium, medium)


def point_state_title(state):
    return POINT_STATES.get(state, state)


def reading_state_title(state):
    return READING.state(state).title


def value_text(value, locale) -> str:
    """A reading's value or consumption as the page's language writes it; "—" for none."""
    return "—" if value is None else number(value, locale)


def values_text(reading, locale) -> str:
    """Every register of a reading on one line: "Day 12 345,6 kWh; Night 2 345 kWh"."""
    return "; ".join(f"{v.register.name} {number(v.value, locale)} {v.register.unit}" for v in reading.values)
