"""Forms of the administration: the workflow settings (request types, the SLA per priority, staff
groups and their members, the group that answers messages), users and what they may do, parties and
their contracts.

They check the shape of the input only; what needs the database (a code or a
name already taken, a group that no longer exists) is the service's to refuse.
"""
import re

import colander
import deform

from portal.forms import CSRFSchema, strip_text
from portal.i18n import _
from portal.parties.schemas import valid_period
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


@colander.deferred
def _member_role_widget(node, kw):
    return deform.widget.SelectWidget(values=list(kw["member_roles"]))


@colander.deferred
def _member_role_validator(node, kw):
    return colander.OneOf([value for value, _title in kw["member_roles"]])


def member_role_node(**kw):
    """The user's role in a party: bind with ``member_roles`` ((value, title) pairs)."""
    return colander.SchemaNode(
        colander.String(), title=_("Role in the party"), widget=_member_role_widget, validator=_member_role_validator,
        description=_("Finance sees invoices, payments and the statement; operations sees neither; "
                      "both see requests, tickets, messages and documents."), **kw)


class UserRolesSchema(CSRFSchema):
    """A user's staff roles (none: a customer): bind with ``request`` and ``roles`` ((value, title) pairs)."""

    roles = colander.SchemaNode(
        colander.Set(), title=_("Staff roles"), missing=(), widget=_roles_widget, validator=_roles_validator,
        description=_("A customer's user has none; the roles take effect on the user's next page."),
    )


class GrantPartySchema(CSRFSchema):
    """The party a user is to act for, by its id in the portal or its accounting id, and the user's role
    there: bind with ``request`` and ``member_roles``."""

    party = colander.SchemaNode(
        colander.String(), title=_("Party"), preparer=strip_text, validator=colander.Length(max=MAX_PARTY_REF),
        description=_("Its number in the portal (as in /p/42/) or its id in the accounting system."),
    )
    role = member_role_node(missing="all")


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


# --- users: a new one, its details, its role in a party ---------------------------------------------
MAX_LOGIN = 64
LOGIN_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]*$")
PHONE_PATTERN = re.compile(r"^\+?[0-9][0-9 ()-]*$")


def _optional_text(title, max_length, **kw):
    """A one-line text that may stay empty (None), stripped before it is checked."""
    return colander.SchemaNode(colander.String(), title=title, preparer=strip_text, missing=None,
                               validator=colander.Length(max=max_length), **kw)


@colander.deferred
def _language_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", _("— the browser's —"))] + list(kw["languages"]))


@colander.deferred
def _language_validator(node, kw):
    return colander.OneOf([value for value, _title in kw["languages"]])


class UserDetailsSchema(CSRFSchema):
    """Who the user is: bind with ``request`` and ``languages`` ((code, name) pairs)."""

    email = colander.SchemaNode(colander.String(), title=_("E-mail"), preparer=strip_text, missing=None,
                                validator=colander.All(colander.Length(max=254), colander.Email()))
    phone = colander.SchemaNode(
        colander.String(), title=_("Mobile phone"), preparer=strip_text, missing=None,
        validator=colander.All(colander.Length(max=32), colander.Regex(
            PHONE_PATTERN, msg=_("Use digits, spaces, brackets and hyphens, with + before the country code."))),
        description=_("With the country code, e.g. +7 495 123-45-67."),
        widget=deform.widget.TextInputWidget(attributes={"type": "tel"}))
    last_name = _text(_("Last name"), 100)
    first_name = _optional_text(_("First name"), 100)
    middle_name = _optional_text(_("Patronymic"), 100)
    language = colander.SchemaNode(colander.String(), title=_("Language"), missing=None, widget=_language_widget,
                                   validator=_language_validator,
                                   description=_("Of the pages and the e-mails; the user may change it."))


class NewUserSchema(UserDetailsSchema):
    """A new user: bind with ``request``, ``languages``, ``roles`` (empty for who may give none) and
    ``member_roles``; without roles to give, the roles field is left out (a customer's user)."""

    login = colander.SchemaNode(
        colander.String(), title=_("Login"), preparer=strip_text, insert_before="email",
        validator=colander.All(
            colander.Length(max=MAX_LOGIN, max_err=_("A login has at most ${max} characters.",
                                                     mapping={"max": MAX_LOGIN})),
            colander.Regex(LOGIN_PATTERN, msg=_("Use Latin letters, digits, dots, hyphens, underscores and @, "
                                                "starting with a letter or digit."))),
        description=_("Unique; it is stored in lowercase."))
    roles = colander.SchemaNode(
        colander.Set(), title=_("Staff roles"), missing=(), widget=_roles_widget, validator=_roles_validator,
        description=_("None for a customer's user."))
    party = colander.SchemaNode(
        colander.String(), title=_("Party"), preparer=strip_text, missing=None,
        validator=colander.Length(max=MAX_PARTY_REF),
        description=_("Optional: the party the user acts for, by its number in the portal or its accounting id."))
    party_role = member_role_node(missing="all")

    def after_bind(self, node, kw):
        if not kw["roles"]:
            del self["roles"]


# --- parties and their contracts ---------------------------------------------------------------------
@colander.deferred
def _groups_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=[(str(g.id), g.name) for g in kw["groups"]])


@colander.deferred
def _groups_validator(node, kw):
    return colander.ContainsOnly([str(g.id) for g in kw["groups"]])


class PartySchema(CSRFSchema):
    """A party's record: bind with ``request`` and ``groups`` (the customer groups to choose from)."""

    name = _text(_("Name"), 255)
    tax_id = _optional_text(_("Tax id"), 32)
    external_id = _optional_text(_("Accounting id"), 64,
                                 description=_("Its id in the accounting system; unique. The API finds it by it."))
    address = _optional_text(_("Address"), 2000, widget=deform.widget.TextAreaWidget(rows=2))
    parent = _optional_text(_("Holding"), MAX_PARTY_REF,
                            description=_("Optional: the party it belongs to, by its number in the portal "
                                          "or its accounting id."))
    group_ids = colander.SchemaNode(colander.Set(), title=_("Customer groups"), missing=(), widget=_groups_widget,
                                    validator=_groups_validator)


def _date(title, **kw):
    return colander.SchemaNode(colander.Date(), title=title,
                               widget=deform.widget.TextInputWidget(attributes={"type": "date",
                                                                                "placeholder": "YYYY-MM-DD"}), **kw)


class ContractSchema(CSRFSchema):
    """One contract of a party; its end, when it has one, is not before its start."""

    number = _text(_("Number"), 64)
    valid_from = _date(_("Valid from"))
    valid_to = _date(_("Valid to"), missing=None, description=_("Empty for an open-ended contract."))
    external_id = _optional_text(_("Accounting id"), 64)

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=valid_period, **kw)
