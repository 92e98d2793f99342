"""The form a customer asks for a change of its master data with, and how those values read.

Every field comes pre-filled with the party's value of today. Only a value the
customer changed is checked against the format rules: data the accounting
system sent in an older format must not block a change to another field.
"""
import re

import colander
import deform

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
    "bank_account": 64,
}
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]*$")
PHONE_DIGITS = (5, 15)  # E.164 allows at most 15 digits
# An account number or IBAN: letters and digits, spaces only for grouping.
BANK_ACCOUNT = re.compile(r"^[A-Z0-9]{8,34}$")
BANK_ACCOUNT_MIN_DIGITS = 6


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


def valid_bank_account(node, value):
    compact = value.replace(" ", "").upper()
    if not BANK_ACCOUNT.match(compact) or sum(c.isdigit() for c in compact) < BANK_ACCOUNT_MIN_DIGITS:
        raise colander.Invalid(node, _("Enter the account number or IBAN: 8 to 34 letters and digits, "
                                       "spaces allowed between groups."))


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


def _node(name, *validators, widget=None):
    return colander.SchemaNode(
        Text(), name=name, title=FIELDS[name], missing=None, widget=widget, preparer=strip_text,
        validator=_checked_if_changed(name, colander.Length(max=MAX_LENGTH.get(name, 16)), *validators),
    )


@colander.deferred
def _channel_widget(node, kw):
    """The channels, plus the party's own value when the accounting system sent one we do not know."""
    values = [("", _("— choose —"))] + list(CHANNELS.items())
    current = kw["current"].get("invoice_channel")
    if current and current not in CHANNELS:
        values.append((current, current))
    return deform.widget.SelectWidget(values=values)


@colander.deferred
def _keeps_every_value(form, kw):
    """A value the party has may be replaced, not removed: an invoice must still reach someone."""
    current = kw["current"]

    def validate(form, value):
        error = None
        for name in FIELDS:
            if current.get(name) and value.get(name) is None:
                error = error or colander.Invalid(form, _("Some values are missing."))
                error[name] = _("This value cannot be removed, only replaced.")
        if error is not None:
            raise error

    return validate


class ChangeRequestSchema(CSRFSchema):
    """The six master-data fields of FIELDS; bind it with ``current`` (the party's values today)."""

    billing_address = _node("billing_address", widget=deform.widget.TextAreaWidget(rows=3))
    contact_person = _node("contact_person")
    email = _node("email", colander.Email(msg=_("Enter an e-mail address such as name@example.com.")))
    phone = _node("phone", valid_phone)
    bank_account = _node("bank_account", valid_bank_account)
    invoice_channel = _node("invoice_channel", colander.OneOf(list(CHANNELS)), widget=_channel_widget)

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_keeps_every_value, **kw)


class EditChangeRequestSchema(ChangeRequestSchema):
    """Editing a draft: the version the page showed, so a change made meanwhile is not overwritten."""

    version = colander.SchemaNode(colander.Integer(), widget=deform.widget.HiddenWidget(), missing=None)
