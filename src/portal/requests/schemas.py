"""The form a customer files a request with."""
import colander
import deform

from portal.api.feed.schemas import MoveSchema
from portal.attachments.schemas import attachment_node
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _


@colander.deferred
def _type_widget(node, kw):
    language = kw["language"]
    return deform.widget.SelectWidget(values=[("", _("— choose —"))] + [
        (str(t.id), t.name(language)) for t in kw["types"]
    ])


@colander.deferred
def _type_validator(node, kw):
    return colander.OneOf([str(t.id) for t in kw["types"]])


class NewRequestSchema(CSRFSchema):
    type_id = colander.SchemaNode(colander.String(), title=_("Type"), widget=_type_widget,
                                  validator=_type_validator)
    subject = colander.SchemaNode(colander.String(), title=_("Subject"), preparer=strip_text,
                                  validator=colander.Length(min=3, max=200))
    body = colander.SchemaNode(colander.String(), title=_("Text"), preparer=strip_text,
                               validator=colander.Length(min=1, max=10000),
                               widget=deform.widget.TextAreaWidget(rows=6))
    attachment = attachment_node()


class RequestFeedSchema(MoveSchema):
    """An event of ``/api/v1/feed/requests``: a request as it is after one of its moves."""

    request_id = colander.SchemaNode(colander.Integer())
    type = colander.SchemaNode(colander.String())
    subject = colander.SchemaNode(colander.String())
    body = colander.SchemaNode(colander.String())
    priority = colander.SchemaNode(colander.String())
    due_at = colander.SchemaNode(colander.DateTime(), missing=None)
    created_at = colander.SchemaNode(colander.DateTime())
