"""The form a customer opens a service ticket with.

It offers only the priorities this user may choose (bound as ``levels``: the
service levels of tickets/sla.py, each with its hours), and refuses any other,
even one a hand-made POST sends.
"""
import colander
import deform

from portal.api.feed.schemas import MoveSchema
from portal.attachments.schemas import attachment_node
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _
from portal.workflows.priorities import PRIORITIES, PRIORITY_LABELS, Priority


def level_label(level):
    """"High — resolved within 24 h": a priority with its service level, business hours said so."""
    mapping = {"priority": PRIORITY_LABELS[level.priority], "hours": level.resolve_hours}
    if level.business_hours:
        return _("${priority} — resolved within ${hours} business hours", mapping=mapping)
    return _("${priority} — resolved within ${hours} h", mapping=mapping)


@colander.deferred
def _priority_widget(node, kw):
    return deform.widget.SelectWidget(values=[(level.priority, level_label(level)) for level in kw["levels"]])


@colander.deferred
def _priority_default(node, kw):
    offered = [level.priority for level in kw["levels"]]
    return Priority.normal.value if Priority.normal.value in offered or not offered else offered[0]


@colander.deferred
def _priority_validator(node, kw):
    offered = [level.priority for level in kw["levels"]]
    known = colander.OneOf(PRIORITIES)

    def validate(node, value):
        known(node, value)
        if value not in offered:
            raise colander.Invalid(node, _("The priority “${priority}” is not open to choose here; "
                                           "choose one of those offered.",
                                           mapping={"priority": PRIORITY_LABELS[value]}))

    return validate


class NewTicketSchema(CSRFSchema):
    """Subject, text, priority (it sets the due time) and optionally a file; bind it with ``levels``."""

    subject = colander.SchemaNode(colander.String(), title=_("Subject"), preparer=strip_text,
                                  validator=colander.Length(min=3, max=200))
    body = colander.SchemaNode(colander.String(), title=_("Text"), preparer=strip_text,
                               validator=colander.Length(min=1, max=10000),
                               widget=deform.widget.TextAreaWidget(rows=6))
    priority = colander.SchemaNode(
        colander.String(), title=_("Priority"), default=_priority_default,
        description=_("The priority sets by when we resolve the ticket."),
        validator=_priority_validator, widget=_priority_widget,
    )
    attachment = attachment_node()


class TicketFeedSchema(MoveSchema):
    """An event of ``/api/v1/feed/tickets``: a service ticket as it is after one of its moves."""

    ticket_id = colander.SchemaNode(colander.Integer())
    subject = colander.SchemaNode(colander.String())
    body = colander.SchemaNode(colander.String())
    priority = colander.SchemaNode(colander.String())
    due_at = colander.SchemaNode(colander.DateTime(), missing=None)
    created_at = colander.SchemaNode(colander.DateTime())
