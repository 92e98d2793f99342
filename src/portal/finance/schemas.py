"""What the finance pages read from query strings: the statement's period and format, a month to
filter invoices by, the invoices chosen for a ZIP; and the top-up request form. Each refuses bad input with a message
that says what to write instead."""
import calendar
import re
from datetime import date
from decimal import Decimal

import colander
import deform
from babel.numbers import NumberFormatError, format_decimal, parse_decimal

from portal.api.feed.schemas import PartyReference, PayloadSchema
from portal.forms import CSRFSchema, strip_text
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


# The most one top-up request may ask for: far above any real prepayment, far below MONEY's limit.
MAX_TOP_UP = Decimal("1000000000.00")
GROUP_SPACES = re.compile(r"[ \u00a0\u202f]")


class Amount(colander.SchemaType):
    """An amount of money typed in the page's language ("12 500,50" in Russian, "12,500.50" in
    English): positive, to the cent."""

    def serialize(self, node, appstruct):
        return colander.null if appstruct in (None, colander.null) else str(appstruct)

    def deserialize(self, node, cstruct):
        if cstruct in (colander.null, None, ""):
            return colander.null
        locale = node.bindings.get("locale", "en") if node.bindings else "en"
        text = GROUP_SPACES.sub("", str(cstruct).strip())
        example = format_decimal(Decimal("12500.50"), format="#,##0.00", locale=locale)
        try:
            if len(text) > 30:
                raise NumberFormatError(text)
            value = parse_decimal(text, locale=locale, strict=True)
        except NumberFormatError:
            raise colander.Invalid(node, _("“${value}” is not an amount: write it as ${example}.",
                                           mapping={"value": str(cstruct)[:30], "example": example})) from None
        if not value.is_finite() or value <= 0:
            raise colander.Invalid(node, _("The amount must be more than zero."))
        if value != value.quantize(Decimal("0.01")):
            raise colander.Invalid(node, _("An amount has at most two decimal places."))
        if value > MAX_TOP_UP:
            raise colander.Invalid(node, _("One request may ask for at most ${max}.",
                                           mapping={"max": format_decimal(MAX_TOP_UP, locale=locale)}))
        return value.quantize(Decimal("0.01"))


class TopUpSchema(CSRFSchema):
    """A top-up invoice request: the amount, and what it is for."""

    amount = colander.SchemaNode(
        Amount(), title=_("Amount"),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "decimal", "autocomplete": "off"}))
    comment = colander.SchemaNode(
        colander.String(), title=_("Comment"), missing="", preparer=strip_text,
        description=_("What the prepayment is for, or anything the invoice should say."),
        validator=colander.Length(max=2000), widget=deform.widget.TextAreaWidget(rows=3))


# --- a price list as the integration API sends it -------------------------------------------------
MAX_PRICE = Decimal("999999999999.9999")  # the most a price column (16 digits, 4 after the point) holds


def _decimal_within(node, value, maximum: Decimal, places: str):
    """A finite number from 0 to ``maximum`` with no more decimals than ``places`` has."""
    if not value.is_finite():
        raise colander.Invalid(node, _("Not a number."))
    if not 0 <= value <= maximum:
        raise colander.Invalid(node, _("A number from 0 to ${max}.", mapping={"max": str(maximum)}))
    if value != value.quantize(Decimal(places)):
        raise colander.Invalid(node, _("At most ${places} decimal places.",
                                       mapping={"places": -Decimal(places).as_tuple().exponent}))


def item_price(node, value):
    _decimal_within(node, value, MAX_PRICE, "0.0001")


def vat_rate(node, value):
    _decimal_within(node, value, Decimal(100), "0.01")


def _stripped(value):
    return value.strip() if isinstance(value, str) else value


def _sorted_once(values):
    """A list of references compared as a set: the order it is sent in changes nothing."""
    return sorted(set(values)) if isinstance(values, list) else values


class PriceListItemApiSchema(colander.MappingSchema):
    """One service of a price list; its price is without VAT."""

    code = colander.SchemaNode(colander.String(), missing="", preparer=_stripped, validator=colander.Length(max=64),
                               title=_("Code"))
    name = colander.SchemaNode(colander.String(), preparer=_stripped, validator=colander.Length(min=1, max=500),
                               title=_("Service"))
    unit = colander.SchemaNode(colander.String(), preparer=_stripped, validator=colander.Length(min=1, max=32),
                               title=_("Unit"))
    price = colander.SchemaNode(colander.Decimal(), validator=item_price, title=_("Price without VAT"))
    vat_rate = colander.SchemaNode(colander.Decimal(), validator=vat_rate, title=_("VAT rate, %"))


class PriceListItemsApiSchema(colander.SequenceSchema):
    item = PriceListItemApiSchema()


class PriceListPartiesApiSchema(colander.SequenceSchema):
    party = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=64))


class PriceListGroupsApiSchema(colander.SequenceSchema):
    group = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=100))


def _price_list_validity(node, values):
    if values.get("valid_to") is not None and values["valid_to"] < values["valid_from"]:
        raise colander.Invalid(node["valid_to"], _("The end is before the start."))


class PriceListApiSchema(colander.MappingSchema):
    """A price list as the accounting system sends it: its ``lines`` (its items in their order; not
    "items", the key of a batch) replace the ones it had; ``parties`` (external ids) and ``groups``
    (customer group names) say whom it is meant for, and neither, or both empty, means every customer."""

    external_id = colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=64),
                                      title=_("External id"))
    name = colander.SchemaNode(colander.String(), preparer=_stripped, validator=colander.Length(min=1, max=255),
                               title=_("Name"))
    currency = colander.SchemaNode(colander.String(), missing=colander.drop, title=_("Currency"),
                                   validator=colander.Regex(r"^[A-Z]{3}$", _("Three capital letters (ISO 4217).")))
    valid_from = colander.SchemaNode(colander.Date(), title=_("Valid from"))
    valid_to = colander.SchemaNode(colander.Date(), missing=colander.drop, title=_("Valid to"))
    lines = PriceListItemsApiSchema(missing=colander.drop, validator=colander.Length(max=10000), title=_("Services"))
    parties = PriceListPartiesApiSchema(missing=colander.drop, preparer=_sorted_once,
                                        validator=colander.Length(max=500), title=_("Parties (external ids)"))
    groups = PriceListGroupsApiSchema(missing=colander.drop, preparer=_sorted_once,
                                      validator=colander.Length(max=100), title=_("Customer groups (names)"))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_price_list_validity, **kw)


class TopUpFeedSchema(PayloadSchema):
    """An event of ``/api/v1/feed/top_up_requests``: a customer asked for an invoice of an amount.
    The accounting system answers it with an invoice whose ``top_up_request`` is ``request_id``."""

    request_id = colander.SchemaNode(colander.Integer())
    party = PartyReference()
    amount = colander.SchemaNode(colander.String(), description="a decimal as a string, e.g. \"12500.50\"")
    currency = colander.SchemaNode(colander.String())
    comment = colander.SchemaNode(colander.String(), missing="")
    requested_by = colander.SchemaNode(colander.String(), description="the requester's full name")
    requested_by_email = colander.SchemaNode(colander.String(), missing=None)
    requested_at = colander.SchemaNode(colander.DateTime())
