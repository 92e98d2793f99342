"""The form a customer opens a service ticket with."""
import colander
import deform

from portal.attachments.schemas import attachment_node
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _
from portal.workflows.priorities import PRIORITIES, PRIORITY_LABELS, Priority


class NewTicketSchema(CSRFSchema):
    """Subject, text, priority (it sets the due time) and optionally a file."""

    subject = colander.SchemaNode(colander.String(), title=_("Subject"), preparer=strip_text,
                                  validator=colander.Length(min=3, max=200))
    body = colander.SchemaNode(colander.String(), title=_("Text"), preparer=strip_text,
                               validator=colander.Length(min=1, max=10000),
                               widget=deform.widget.TextAreaWidget(rows=6))
    priority = colander.SchemaNode(
        colander.String(), title=_("Priority"), default=Priority.normal.value,
        description=_("The priority sets by when we resolve the ticket."),
        validator=colander.OneOf(PRIORITIES),
        widget=deform.widget.SelectWidget(values=[(p, PRIORITY_LABELS[p]) for p in PRIORITIES]),
    )
    attachment = attachment_node()
