"""The forms a thread is started and answered with."""
import colander
import deform

from portal.attachments.schemas import attachment_node
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _

MAX_SUBJECT = 200  # the column's length
MAX_BODY = 5000  # a message is short; a long text belongs in an attached document


def _body_node():
    return colander.SchemaNode(colander.String(), title=_("Message"), preparer=strip_text,
                               validator=colander.Length(min=1, max=MAX_BODY),
                               widget=deform.widget.TextAreaWidget(rows=6))


class NewThreadSchema(CSRFSchema):
    subject = colander.SchemaNode(colander.String(), title=_("Subject"), preparer=strip_text,
                                  validator=colander.Length(min=3, max=MAX_SUBJECT))
    body = _body_node()
    attachment = attachment_node()


class ReplySchema(CSRFSchema):
    body = _body_node()
    attachment = attachment_node()
