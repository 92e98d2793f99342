"""The form a customer asks for a change of its master data with, and how those values read.

Every field comes pre-filled with the party's value of today. Only a value the
customer changed is checked against the format rules: data the accounting
system sent in an older format must not block a change to another field.
The bank details follow bank.py (BIC, account number, and the two together).
"""
import re

import colander
import deform

from portal.api.feed.schemas import PartyReference, PayloadSchema
from portal.changes.bank import account_problem, bic_problem, compact, pair_problem
from portal.changes.fields import FIELDS
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _

# How invoices reach the party; the value stored on the party, and its label.
CHANNELS = {
    "email": _("By e-mail"),
    "post": _("By post"),
    "portal": _("In the portal"),
    "edi": _("Electronic data interchange (EDI)"),
}
# Lengths follow the party's columns; the billing address (a text column) gets a sane limit.
MAX_LENGTH = {
    "billing_address": 500,
    "contact_person": 200,
    "email": 254,
    "phone": 32,
    "bank_name": 200,
    "bank_bic": 11,
    "bank_account": 64,
    "invoice_email": 254,
}
# A value that may be emptied: invoices then go to the company e-mail.
REMOVABLE = frozenset({"invoice_email"})
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*$")
PHONE_DIGITS = (5, 15)  # E.164 allows at most 15 digits


class Text(colander.String):
    """A string without surrounding blanks or Windows line ends; blank means "no value" (None)."""

    def serialize(self, node, appstruct):
        return colander.null if appstruct is None else super().serialize(node, appstruct)

    def deserialize(self, node, cstruct):
        if isinstance(cstruct, str):
            cstruct = cstruct.replace("\r\n", "\n").strip()
        return super().deserialize(node, cstruct)


def display_value(name, value):
    """A field's value as people read it: the channel's label, a dash for no value."""
    if value is None or value == "":
        return "—"
    if name == "invoice_channel":
        return CHANNELS.get(value, value)
    return value


def valid_phone(node, value):
    digits = sum(c.isdigit() for c in value)
    if not PHONE.match(value) or not PHONE_DIGITS[0] <= digits <= PHONE_DIGITS[1]:
        raise colander.Invalid(node, _("Enter a phone number of ${min} to ${max} digits, for example +7 495 123-45-67.",
                                       mapping={"min": PHONE_DIGITS[0], "max": PHONE_DIGITS[1]}))


def valid_bic(node, value):
    problem = bic_problem(value)
    if problem is not None:
        raise colander.Invalid(node, problem)


def valid_bank_account(node, value):
    problem = account_problem(value)
    if problem is not None:
        raise colander.Invalid(node, problem)


def _compact_unless_unchanged(name):
    """A bank code without its grouping spaces; the party's own value, as it is, when it is the same one."""

    @colander.deferred
    def deferred(node, kw):
        current = kw["current"].get(name)

        def prepare(value):
            value = strip_text(value)
            if not isinstance(value, str):
                return value
            if current is not None and compact(value) == compact(current):
                return current
            return compact(value)

        return prepare

    return deferred


def _checked_if_changed(name, *validators):
    """Run ``validators`` only on a value that differs from the party's current one."""
    checks = colander.All(*validators)

    @colander.deferred
    def deferred(node, kw):
        current = kw["current"].get(name)

        def validate(node, value):
            if value != current:
                checks(node, value)

        return validate

    return deferred


def _node(name, *validators, widget=None, preparer=strip_text, description=None):
    return colander.SchemaNode(
        Text(), name=name, title=FIELDS[name], missing=None, widget=widget, preparer=preparer,
        description=description,
        validator=_checked_if_changed(name, colander.Length(max=MAX_LENGTH.get(name, 16)), *validators),
    )


def _bank_node(name, validator, description):
    return _node(name, validator, preparer=_compact_unless_unchanged(name), description=description)


@colander.deferred
def _channel_widget(node, kw):
    """The channels, plus the party's own value when the accounting system sent one we do not know."""
    values = [("", _("— choose —"))] + list(CHANNELS.items())
    current = kw["current"].get("invoice_channel")
    if current and current not in CHANNELS:
        values.append((current, current))
    return deform.widget.SelectWidget(values=values)


def _bank_pair_problem(current, value):
    """(field, message) when a BIC and an account number, one of them new, cannot belong together."""
    bic, account = value.get("bank_bic"), value.get("bank_account")
    bic_changed, account_changed = bic != current.get("bank_bic"), account != current.get("bank_account")
    if not bic or not account or not (bic_changed or account_changed):
        return None
    if bic_problem(bic) or account_problem(account):
        return None  # an unchanged value in an older format: nothing to compare it with
    problem = pair_problem(bic, account)
    return None if problem is None else ("bank_account" if account_changed else "bank_bic", problem)


def _invoice_address_problem(current, value):
    """(field, message) when invoices are to go by e-mail, newly so, with no address to go to."""
    asked = value.get("invoice_channel") != current.get("invoice_channel") or \
        value.get("invoice_email") != current.get("invoice_email")
    if asked and value.get("invoice_channel") == "email" and not (value.get("invoice_email") or value.get("email")):
        return "invoice_email", _("Invoices by e-mail need an address: enter the e-mail for invoices.")
    return None


@colander.deferred
def _form_checks(form, kw):
    """What one field cannot tell: a value the party has may be replaced, not removed (an invoice
    must still reach someone), and the bank details and the invoice address must fit together."""
    current = kw["current"]

    def validate(form, value):
        problems = {}
        for name in FIELDS:
            if name not in REMOVABLE and current.get(name) and value.get(name) is None:
                problems[name] = _("This value cannot be removed, only replaced.")
        missing = bool(problems)
        for check in (_bank_pair_problem, _invoice_address_problem):
            found = check(current, value)
            if found is not None:
                problems.setdefault(*found)
        if problems:
            error = colander.Invalid(form, _("Some values are missing.") if missing
                                     else _("Some values do not fit together."))
            for name, message in problems.items():
                error[name] = message
            raise error

    return validate


EMAIL = colander.Email(msg=_("Enter an e-mail address such as name@example.com."))


class ChangeRequestSchema(CSRFSchema):
    """The master-data fields of FIELDS; bind it with ``current`` (the party's values today)."""

    billing_address = _node("billing_address", widget=deform.widget.TextAreaWidget(rows=3))
    contact_person = _node("contact_person")
    email = _node("email", EMAIL)
    phone = _node("phone", valid_phone)
    bank_name = _node("bank_name")
    bank_bic = _bank_node("bank_bic", valid_bic,
                          _("9 digits (BIK) for a Russian bank, otherwise the bank's SWIFT code."))
    bank_account = _bank_node("bank_account", valid_bank_account,
                              _("20 digits for an account with a Russian bank, otherwise the IBAN."))
    invoice_channel = _node("invoice_channel", colander.OneOf(list(CHANNELS)), widget=_channel_widget)
    invoice_email = _node("invoice_email", EMAIL,
                          description=_("Where invoices sent by e-mail go; left empty, to the e-mail above."))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_form_checks, **kw)


class EditChangeRequestSchema(ChangeRequestSchema):
    """Editing a draft: the version the page showed, so a change made meanwhile is not overwritten."""

    version = colander.SchemaNode(colander.Integer(), widget=deform.widget.HiddenWidget(), missing=None)


def feed_values() -> PayloadSchema:
    """Field -> value for the fields a change request changed (a value may be None: emptied)."""
    values = PayloadSchema()
    for name in FIELDS:
        values.add(colander.SchemaNode(colander.String(), name=name, missing=colander.drop))
    return values


class ChangeRequestFeedSchema(PayloadSchema):
    """An event of ``/api/v1/feed/change_requests``: a change request approved, and the values it applied
    to the party with those they replaced."""

    change_request_id = colander.SchemaNode(colander.Integer())
    party = PartyReference()
    values = feed_values()
    previous = feed_values()
    approved_at = colander.SchemaNode(colander.DateTime())
    applied_at = colander.SchemaNode(colander.DateTime())
