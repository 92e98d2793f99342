"""What the finance pages read from query strings: the statement's period and format, a month to
filter invoices by, the invoices chosen for a ZIP. Each refuses bad input with a message that says
what to write instead."""
import calendar
import re
from datetime import date

import colander

from portal.i18n import _

FORMATS = ("html", "pdf", "xlsx")
FIRST_YEAR, LAST_YEAR = 1900, 2999
MONTH = re.compile(r"^(\d{4})-(\d{2})$")
DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
# Invoices one ZIP may hold: enough for a year of monthly invoices of several contracts; the
# ZIP is made while it streams, and a bound keeps one request from rendering without end.
MAX_ZIP_INVOICES = 100


class Day(colander.SchemaType):
    """A calendar day written ``YYYY-MM-DD`` (what ``<input type="date">`` sends)."""

    def serialize(self, node, appstruct):
        return colander.null if appstruct in (None, colander.null) else appstruct.isoformat()

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None, ""):
            return colander.null
        text = str(cstruct).strip()
        try:
            if not DAY.match(text):
                raise ValueError(text)
            day = date.fromisoformat(text)
        except ValueError:
            raise colander.Invalid(node, _("“${value}” is not a date: write it as YYYY-MM-DD, e.g. 2026-03-31.",
                                           mapping={"value": text[:40]})) from None
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise colander.Invalid(node, _("Choose a date between the years ${first} and ${last}.",
                                           mapping={"first": FIRST_YEAR, "last": LAST_YEAR}))
        return day


def _period_in_order(node, value):
    if value["from"] and value["to"] and value["from"] > value["to"]:
        error = colander.Invalid(node, _("The period ends before it starts."))
        error["to"] = _("The end of the period must not be before its start.")
        raise error


def statement_schema() -> colander.SchemaNode:
    """``from``, ``to`` (each may be left out) and ``format`` (html, pdf or xlsx) of a statement."""
    schema = colander.SchemaNode(colander.Mapping(unknown="ignore"), validator=_period_in_order)
    schema.add(colander.SchemaNode(Day(), name="from", title=_("From"), missing=None))
    schema.add(colander.SchemaNode(Day(), name="to", title=_("To"), missing=None))
    schema.add(colander.SchemaNode(colander.String(), name="format", title=_("Format"), missing="html",
                                   validator=colander.OneOf(FORMATS)))
    return schema


def parse_month(value: str) -> tuple[date, date] | None:
    """``YYYY-MM`` (what ``<input type="month">`` sends) as its first and last day, or None."""
    match = MONTH.match(value or "")
    if not match:
        return None
    year, month = int(match.group(1)), int(match.group(2))
    if not (FIRST_YEAR <= year <= LAST_YEAR and 1 <= month <= 12):
        return None
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


class AnyMonth:
    """The allowed values of a filter by month: any well-formed ``YYYY-MM``."""

    def __contains__(self, value) -> bool:
        return parse_month(value) is not None


ANY_MONTH = AnyMonth()
