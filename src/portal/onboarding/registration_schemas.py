"""Forms of self-registration and of the back office's decision: registering, the phone's code, asking
to act for one more company, binding to a party, rejecting with a reason. They check the shape of the
input; whether an address is in use, a code right or a party there is the services' to say."""
import re

import colander
import deform

from portal.forms import CSRFSchema, strip_text
from portal.i18n import _

MAX_NAME = 100
MAX_LOGIN_EMAIL = 64  # the address is the login (identity's login column)
MAX_COMPANY = 255
MAX_TAX_ID = 32
MAX_CUSTOMER_NUMBER = 64
MAX_REASON = 1000
MAX_PASSWORD = 256
PHONE_TYPED = re.compile(r"^\+?[\d\s().-]+$")
PHONE_DIGITS = (8, 15)  # E.164: at most 15 digits with the country code
CODE = re.compile(r"^\d{6}$")


def normalize_phone(text) -> str | None:
    """``text`` as an international number, ``+`` and digits ("+7 912 345-67-89" -> "+79123456789");
    None unless it starts with ``+`` (or ``00``) and has 8 to 15 digits."""
    text = (text or "").strip()
    if not PHONE_TYPED.match(text):
        return None
    digits = re.sub(r"\D", "", text)
    if text.startswith("00"):
        digits = digits[2:]
    elif not text.startswith("+"):
        return None
    return "+" + digits if PHONE_DIGITS[0] <= len(digits) <= PHONE_DIGITS[1] else None


def _phone_preparer(value):
    value = strip_text(value)
    return normalize_phone(value) or value if isinstance(value, str) else value


def _phone_valid(node, value):
    if normalize_phone(value) != value:
        raise colander.Invalid(node, _("Give the mobile number in international form, with the country code: "
                                       "+7 912 345 67 89."))


def text_node(title, max_length, *, required=True, **kw) -> colander.SchemaNode:
    """A one-line text, stripped before it is checked (spaces alone are empty)."""
    if not required:
        kw.setdefault("missing", None)
    return colander.SchemaNode(colander.String(), title=title, preparer=strip_text,
                               validator=colander.Length(max=max_length), **kw)


def email_node(**kw) -> colander.SchemaNode:
    return colander.SchemaNode(
        colander.String(), title=_("E-mail"), preparer=strip_text,
        validator=colander.All(colander.Length(max=MAX_LOGIN_EMAIL),
                               colander.Email(msg=_("Enter an e-mail address such as name@example.com."))),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "type": "email"}), **kw)


def phone_node(*, required=True, **kw) -> colander.SchemaNode:
    if not required:
        kw.setdefault("missing", None)
    return colander.SchemaNode(
        colander.String(), title=_("Mobile phone"), preparer=_phone_preparer, validator=_phone_valid,
        description=_("With the country code: +7 912 345 67 89."),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "tel", "type": "tel"}), **kw)


def _company_named(form, value):
    if not value.get("tax_id") and not value.get("customer_number"):
        exc = colander.Invalid(form, _("Give the company's tax id, or your customer number."))
        exc["tax_id"] = _("Give the company's tax id, or your customer number.")
        raise exc


def company_nodes() -> tuple:
    """The company a person asks to act for, as they know it (name, tax id, customer number): fresh
    nodes for a schema's class body."""
    return (
        text_node(_("Company"), MAX_COMPANY),
        text_node(_("Tax id"), MAX_TAX_ID, required=False),
        text_node(_("Customer number"), MAX_CUSTOMER_NUMBER, required=False,
                  description=_("As printed on your invoices; instead of the tax id.")),
    )


@colander.deferred
def _password_validator(node, kw):
    passwords = kw["passwords"]

    def validate(node, value):
        errors = passwords.strength_errors(value, "")
        if errors:
            raise colander.Invalid(node, errors[0])

    return colander.All(colander.Length(max=MAX_PASSWORD), validate)


def _registration_valid(form, value):
    errors = colander.Invalid(form)
    if value.get("password") != value.get("confirmation"):
        errors["confirmation"] = _("The passwords do not match.")
    if not value.get("tax_id") and not value.get("customer_number"):
        errors["tax_id"] = _("Give the company's tax id, or your customer number.")
    if errors.children:
        errors.msg = _("Please correct the fields marked below.")
        raise errors


class RegistrationSchema(CSRFSchema):
    """``/register``: who the person is, how to reach them, their password, the company they act for."""

    last_name = text_node(_("Last name"), MAX_NAME, widget=deform.widget.TextInputWidget(
        attributes={"autocomplete": "family-name"}))
    first_name = text_node(_("First name"), MAX_NAME, widget=deform.widget.TextInputWidget(
        attributes={"autocomplete": "given-name"}))
    middle_name = text_node(_("Middle name"), MAX_NAME, required=False)
    email = email_node()
    phone = phone_node()
    password = colander.SchemaNode(
        colander.String(), title=_("Password"), validator=_password_validator,
        description=_("At least 10 characters, mixing letters with digits or other characters."),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}))
    confirmation = colander.SchemaNode(
        colander.String(), title=_("Repeat the password"), validator=colander.Length(max=MAX_PASSWORD),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}))
    company_name, tax_id, customer_number = company_nodes()

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_registration_valid, **kw)


class MembershipRequestSchema(CSRFSchema):
    """``/account/memberships``: one more company to act for."""

    company_name, tax_id, customer_number = company_nodes()

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_company_named, **kw)


class PhoneCodeSchema(CSRFSchema):
    """The six digits the SMS brought."""

    code = colander.SchemaNode(
        colander.String(), title=_("Code from the SMS"), preparer=strip_text,
        validator=colander.Regex(CODE, msg=_("The code has six digits.")),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "one-time-code", "inputmode": "numeric",
                                                         "autofocus": "autofocus"}))


class BindSchema(CSRFSchema):
    """The party a person is bound to: its number in the portal or its accounting id."""

    party = text_node(_("Party"), MAX_CUSTOMER_NUMBER,
                      description=_("Its number in the portal or its accounting id (customer number)."))


class RejectSchema(CSRFSchema):
    """Why a request is rejected: the person reads it."""

    reason = colander.SchemaNode(
        colander.String(), title=_("Reason"), preparer=strip_text, validator=colander.Length(max=MAX_REASON),
        description=_("The person reads it in the notification."),
        widget=deform.widget.TextAreaWidget(rows=3))
