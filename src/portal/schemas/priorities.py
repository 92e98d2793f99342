"""Priorities of requests and tickets as people read them: in forms, lists and exports."""
from ..i18n import _
from ..models import Priority

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
