"""The self-reading form of one meter: its day, a field per register, and a comment.

The registers' values are taken as the text typed: the checks of
``utility/plausibility.py`` read the number in the page's language and say
precisely what is wrong with it, which colander's number types cannot.
"""
import colander
import deform

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
