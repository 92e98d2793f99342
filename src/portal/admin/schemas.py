"""Forms of the workflow settings: request types, the SLA per priority, staff groups and their members,
the group that answers messages.

They check the shape of the input only; what needs the database (a code or a
name already taken, a group that no longer exists) is the service's to refuse.
"""
import re

import colander
import deform

from portal.forms import CSRFSchema, strip_text
from portal.i18n import _
from portal.workflows.priorities import PRIORITIES, PRIORITY_LABELS

MAX_HOURS = 8760  # a year: any longer is a typing mistake, not a service level
MAX_CODE = 32
MAX_TYPE_NAME = 200
MAX_GROUP_NAME = 100
CODE_PATTERN = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _code_preparer(value):
    value = strip_text(value)
    return value.lower() if isinstance(value, str) else value


def _text(title, max_length, **kw):
    """A required one-line text, stripped before it is checked (spaces alone are empty)."""
    return colander.SchemaNode(colander.String(), title=title, preparer=strip_text,
                               validator=colander.Length(max=max_length), **kw)


def hours_node(title, **kw):
    """Whole hours from 1 to ``MAX_HOURS``."""
    message = _("Enter a whole number of hours from 1 to ${max}.", mapping={"max": MAX_HOURS})
    return colander.SchemaNode(
        colander.Int(), title=title,
        validator=colander.Range(min=1, max=MAX_HOURS, min_err=message, max_err=message),
        widget=deform.widget.TextInputWidget(attributes={"inputmode": "numeric"}), **kw,
    )


def _priority_node(**kw):
    return colander.SchemaNode(
        colander.String(), title=_("Default priority"),
        widget=deform.widget.SelectWidget(values=[(p, PRIORITY_LABELS[p]) for p in PRIORITIES]),
        validator=colander.OneOf(PRIORITIES), **kw,
    )


@colander.deferred
def _group_widget(node, kw):
    return deform.widget.SelectWidget(
        values=[("", _("— choose —"))] + [(str(g.id), g.name) for g in kw["groups"]]
    )


@colander.deferred
def _group_validator(node, kw):
    return colander.OneOf([str(g.id) for g in kw["groups"]])


class RequestTypeSchema(CSRFSchema):
    """A request type: bind with ``request`` and ``groups`` (the staff groups to choose from)."""

    code = colander.SchemaNode(
        colander.String(), title=_("Code"), preparer=_code_preparer,
        description=_("Lowercase Latin letters, digits, hyphens and underscores; unique."),
        validator=colander.All(
            colander.Length(max=MAX_CODE,
                            max_err=_("A code has at most ${max} characters.", mapping={"max": MAX_CODE})),
            colander.Regex(CODE_PATTERN, msg=_(
                "Use lowercase Latin letters, digits, hyphens and underscores, starting with a letter or digit.")),
        ),
    )
    name_en = _text(_("Name in English"), MAX_TYPE_NAME)
    name_ru = _text(_("Name in Russian"), MAX_TYPE_NAME)
    group_id = colander.SchemaNode(
        colander.String(), title=_("Responsible staff group"), widget=_group_widget, validator=_group_validator,
    )
    default_priority = _priority_node(default="normal")
    due_hours = hours_node(_("Due time, hours"), default=72)
    active = colander.SchemaNode(
        colander.Boolean(), title=_("Active"), missing=False, default=True,
        description=_("Only active types are offered to customers for new requests."),
        widget=deform.widget.CheckboxWidget(),
    )


class SlaPrioritySchema(colander.MappingSchema):
    """The service level of one priority."""

    resolve_hours = hours_node(_("Hours to resolve"))
    business_hours = colander.SchemaNode(
        colander.Boolean(), title=_("Count business hours only"), missing=False,
        widget=deform.widget.CheckboxWidget(),
    )
    customer_may_choose = colander.SchemaNode(
        colander.Boolean(), title=_("Customers may choose it"), missing=False,
        description=_("Otherwise a customer cannot open a ticket at this priority."),
        widget=deform.widget.CheckboxWidget(),
    )


class SlaSchema(CSRFSchema):
    """All four priorities in one form, lowest first."""

    low = SlaPrioritySchema(title=PRIORITY_LABELS["low"])
    normal = SlaPrioritySchema(title=PRIORITY_LABELS["normal"])
    high = SlaPrioritySchema(title=PRIORITY_LABELS["high"])
    critical = SlaPrioritySchema(title=PRIORITY_LABELS["critical"])


class StaffGroupSchema(CSRFSchema):
    """A staff group's name (creating or renaming it)."""

    name = _text(_("Name of the group"), MAX_GROUP_NAME)


@colander.deferred
def _member_widget(node, kw):
    return deform.widget.SelectWidget(
        values=[("", _("— choose —"))] + [(str(u.id), f"{u.full_name} ({u.login})") for u in kw["candidates"]]
    )


@colander.deferred
def _member_validator(node, kw):
    return colander.OneOf([str(u.id) for u in kw["candidates"]])


class AddMemberSchema(CSRFSchema):
    """Adding one member: bind with ``request`` and ``candidates`` (staff not yet in the group)."""

    user_id = colander.SchemaNode(
        colander.String(), title=_("Member of staff"), widget=_member_widget, validator=_member_validator,
    )


@colander.deferred
def _message_group_widget(node, kw):
    return deform.widget.SelectWidget(
        values=[("", _("— no group: the parties' managers, else all back-office and service staff —"))]
        + [(str(g.id), g.name) for g in kw["groups"]]
    )


@colander.deferred
def _message_group_validator(node, kw):
    return colander.OneOf([str(g.id) for g in kw["groups"]])


class MessageGroupSchema(CSRFSchema):
    """The staff group that answers customers' messages: bind with ``request`` and ``groups``."""

    group_id = colander.SchemaNode(
        colander.String(), title=_("Staff group that answers messages"), missing=None,
        widget=_message_group_widget, validator=_message_group_validator,
    )


# --- a user's access: staff roles and the parties it acts for ------------------------------------
MAX_PARTY_REF = 64


@colander.deferred
def _roles_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=list(kw["roles"]))


@colander.deferred
def _roles_validator(node, kw):
    return colander.ContainsOnly([value for value, _title in kw["roles"]])


class UserRolesSchema(CSRFSchema):
    """A user's staff roles (none: a customer): bind with ``request`` and ``roles`` ((value, title) pairs)."""

    roles = colander.SchemaNode(
        colander.Set(), title=_("Staff roles"), missing=(), widget=_roles_widget, validator=_roles_validator,
        description=_("A customer's user has none; the roles take effect on the user's next page."),
    )


class GrantPartySchema(CSRFSchema):
    """The party a user is to act for, by its id in the portal or its accounting id."""

    party = colander.SchemaNode(
        colander.String(), title=_("Party"), preparer=strip_text, validator=colander.Length(max=MAX_PARTY_REF),
        description=_("Its number in the portal (as in /p/42/) or its id in the accounting system."),
    )


# --- customer groups (party groups) ------------------------------------------------------------
class PartyGroupSchema(CSRFSchema):
    """A customer group's name (creating or renaming it)."""

    name = _text(_("Name of the group"), MAX_GROUP_NAME)


class AddPartySchema(CSRFSchema):
    """A party to put in a customer group, by its number in the portal or its accounting id."""

    party = colander.SchemaNode(
        colander.String(), title=_("Party"), preparer=strip_text, validator=colander.Length(max=MAX_PARTY_REF),
        description=_("Its number in the portal (as in /p/42/) or its id in the accounting system."),
    )
