"""Priorities of requests and tickets: their values, their rank, and how people read them in forms,
lists and exports. Models, schemas and views share this one vocabulary (it imports nothing of theirs)."""
import enum

from portal.i18n import _


class Priority(enum.StrEnum):
    low = "low"
    normal = "normal"
    high = "high"
    critical = "critical"


PRIORITY_RANK = {Priority.low: 0, Priority.normal: 1, Priority.high: 2, Priority.critical: 3}

# Lowest first: the order of every select and every table.
PRIORITIES = tuple(p.value for p in Priority)
PRIORITY_LABELS = {
    Priority.low.value: _("Low"),
    Priority.normal.value: _("Normal"),
    Priority.high.value: _("High"),
    Priority.critical.value: _("Critical"),
}


def priority_label(value: str):
    """The translatable label of ``value`` (the value itself if it is not a known priority)."""
    return PRIORITY_LABELS.get(value, value)
