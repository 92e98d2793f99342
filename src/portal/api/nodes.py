"""The colander nodes the API entities' schemas are made of: external ids and references, optional
text, exact decimals, lists replaced whole, base64 files.

One node per kind of field, so every entity words its refusals alike and the OpenAPI document
(api/openapi.py) reads the same types and validators everywhere.
"""
import base64
import binascii
import re
from datetime import date
from decimal import Decimal

import colander

from portal.i18n import _

CURRENCY = re.compile(r"^[A-Z]{3}$")
ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


class Day(colander.Date):
    """colander's Date, reading the plain ISO day every client sends (``2026-11-30``) without the
    ISO 8601 parser, which cost a batch more than the rest of its dates' checks: the same day, and
    anything else (a time with it, a day that does not exist) as colander reads it."""

    def deserialize(self, node, cstruct):
        if type(cstruct) is str and ISO_DAY.fullmatch(cstruct):
            try:
                return date.fromisoformat(cstruct)
            except ValueError:
                pass
        return super().deserialize(node, cstruct)


def day_node(**kw):
    """A required day."""
    return colander.SchemaNode(Day(), **kw)


def external_id_node(**kw):
    """An external id: of the row itself, or of a record it names (a reference)."""
    return colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=64), **kw)


def reference_node(**kw):
    """An optional reference by external id (``null`` clears it)."""
    return external_id_node(missing=colander.drop, **kw)


def text_node(length, **kw):
    """Required text of 1 to ``length`` characters."""
    return colander.SchemaNode(colander.String(), validator=colander.Length(min=1, max=length), **kw)


def optional_text(length, **kw):
    return colander.SchemaNode(colander.String(), missing=colander.drop, validator=colander.Length(max=length), **kw)


def optional_date(**kw):
    return colander.SchemaNode(Day(), missing=colander.drop, **kw)


def optional_flag(**kw):
    """true or false (colander's default would take any other value for true)."""
    return colander.SchemaNode(colander.Boolean(false_choices=("false", "0"), true_choices=("true", "1")),
                               missing=colander.drop, **kw)


def choice_node(choices, **kw):
    """One of ``choices`` (an enum's values)."""
    return colander.SchemaNode(colander.String(), validator=colander.OneOf([str(c) for c in choices]), **kw)


def currency_node(**kw):
    return colander.SchemaNode(colander.String(), missing=colander.drop, validator=colander.Regex(
        CURRENCY, _("A currency is three capital letters (ISO 4217), e.g. RUB.")), **kw)


class Exact:
    """A decimal a ``Numeric(digits, places)`` column keeps exactly: finite, not too large, and with
    at most ``places`` decimals (refused, never rounded: a rounded amount would differ from the
    accounting system's); with ``positive``, above zero."""

    def __init__(self, digits, places, *, positive=False):
        self.digits, self.places, self.positive = digits, places, positive
        self.step = Decimal(1).scaleb(-places)

    def __call__(self, node, value: Decimal):
        if not value.is_finite():
            raise colander.Invalid(node, _("Write a number."))
        if value and value.adjusted() >= self.digits - self.places:
            raise colander.Invalid(node, _("The number is too large."))
        if value != value.quantize(self.step):
            raise colander.Invalid(node, _("At most ${places} digits after the decimal point.",
                                           mapping={"places": self.places}))
        if self.positive and value <= 0:
            raise colander.Invalid(node, _("Must be more than zero."))


def decimal_node(digits, places, *, minimum=None, maximum=None, positive=False, **kw):
    """A JSON number or a numeric string kept exactly in a ``Numeric(digits, places)`` column
    (``minimum`` and ``maximum`` are colander's Range, which the OpenAPI document shows)."""
    validator = Exact(digits, places, positive=positive)
    if minimum is not None or maximum is not None:
        validator = colander.All(validator, colander.Range(min=minimum, max=maximum))
    return colander.SchemaNode(colander.Decimal(), validator=validator, **kw)


def optional_decimal(digits, places, **kw):
    return decimal_node(digits, places, missing=colander.drop, **kw)


def sorted_by(*keys):
    """A preparer: the list in a fixed order, so that a list sent in any order compares equal to the
    stored one (``current`` sorts alike) and "unchanged" means unchanged."""
    def prepare(items):
        if not isinstance(items, list):
            return items
        return sorted(items, key=lambda item: tuple(str(item.get(k)) for k in keys))
    return prepare


def unique_in_list(key, message, *, max_items):
    """A validator of a list of mappings: at most ``max_items``, and ``key`` differs from item to item."""
    def validate(node, items):
        colander.Length(max=max_items)(node, items)
        keys = [item[key] for item in items]
        if len(set(keys)) != len(keys):
            raise colander.Invalid(node, message)
    return validate


def list_node(item, *, max_items, **kw):
    """A list of ``item`` mappings, replaced whole when sent (``validator`` replaces the length check)."""
    kw.setdefault("validator", colander.Length(max=max_items))
    return colander.SchemaNode(colander.Sequence(), item, missing=colander.drop, **kw)


def strings_node(length, *, max_items, **kw):
    """A list of short strings (external ids, names, tags), replaced whole when sent; kept sorted."""
    return colander.SchemaNode(colander.Sequence(), text_node(length, name="item"), missing=colander.drop,
                               validator=colander.Length(max=max_items), preparer=sorted_strings, **kw)


def sorted_strings(items):
    return sorted(set(items)) if isinstance(items, list) else items


class Base64(colander.SchemaType):
    """A file's bytes written as base64 (RFC 4648, with padding) in a JSON string."""

    def serialize(self, node, appstruct):
        if appstruct in (None, colander.null):
            return colander.null
        return base64.b64encode(appstruct).decode("ascii")

    def deserialize(self, node, cstruct):
        if cstruct is colander.null:
            return colander.null
        if not isinstance(cstruct, str):
            raise colander.Invalid(node, _("Send the file's bytes as a base64 string."))
        try:
            return base64.b64decode(cstruct, validate=True)
        except (binascii.Error, ValueError):
            raise colander.Invalid(node, _("This is not base64.")) from None


def file_node(**kw):
    return colander.SchemaNode(Base64(), missing=colander.drop, **kw)
