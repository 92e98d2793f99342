"""The self-reading form of one meter: its day, a field per register, and a comment.

The registers' values are taken as the text typed: the checks of
``utility/plausibility.py`` read the number in the page's language and say
precisely what is wrong with it, which colander's number types cannot.
"""
import colander
import deform

from portal.api.feed.schemas import PartyReference, PayloadSchema
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _

MAX_COMMENT = 2000


class ReadingSchema(CSRFSchema):
    reading_date = colander.SchemaNode(
        colander.Date(), title=_("Date of the reading"),
        widget=deform.widget.TextInputWidget(attributes={"type": "date", "placeholder": "YYYY-MM-DD"}))


def reading_schema(registers) -> ReadingSchema:
    """The form's schema for registers given as (field name, title, description) triples."""
    schema = ReadingSchema()
    for name, title, description in registers:
        schema.add(colander.SchemaNode(
            colander.String(), name=name, title=title, description=description, missing=None,
            preparer=strip_text, widget=deform.widget.TextInputWidget(attributes={"inputmode": "decimal",
                                                                                 "autocomplete": "off"})))
    schema.add(colander.SchemaNode(
        colander.String(), name="comment", title=_("Comment"), missing="", preparer=strip_text,
        description=_("Needed when the reading is far from the usual consumption."),
        validator=colander.Length(max=MAX_COMMENT), widget=deform.widget.TextAreaWidget(rows=2)))
    return schema


class FeedSupplyPoint(PayloadSchema):
    id = colander.SchemaNode(colander.Integer())
    external_id = colander.SchemaNode(colander.String(), missing=None)


class FeedMeter(FeedSupplyPoint):
    serial_number = colander.SchemaNode(colander.String())


class FeedValue(PayloadSchema):
    """One register's value, with its consumption since the previous accepted reading (None for a
    meter's first)."""

    register = colander.SchemaNode(colander.String())
    value = colander.SchemaNode(colander.Decimal())
    consumption = colander.SchemaNode(colander.Decimal(), missing=None)


class FeedValues(colander.SequenceSchema):
    value = FeedValue()


class ReadingFeedSchema(PayloadSchema):
    """An event of ``/api/v1/feed/readings``: a customer's self-reading accepted, by staff (``accept``)
    or at once as plausible (``auto_accept``)."""

    reading_id = colander.SchemaNode(colander.Integer())
    party = PartyReference()
    supply_point = FeedSupplyPoint()
    meter = FeedMeter()
    reading_date = colander.SchemaNode(colander.Date())
    values = FeedValues()
    comment = colander.SchemaNode(colander.String(), missing="")
    transition = colander.SchemaNode(colander.String(), validator=colander.OneOf(["accept", "auto_accept"]))
    submitted_at = colander.SchemaNode(colander.DateTime())
    accepted_at = colander.SchemaNode(colander.DateTime())
