"""Forms of accounts made by post: the back office's letter (who, which party, where the letter
goes), and ``/activate`` (both parts of the code and the new password)."""
import colander
import deform

from portal.forms import CSRFSchema, strip_text
from portal.i18n import LANGUAGES, _
from portal.identity.schemas import SetPasswordSchema
from portal.onboarding.registration_schemas import MAX_CUSTOMER_NUMBER, MAX_NAME, email_node, phone_node, text_node

MAX_ADDRESS = 500
MAX_PART = 40  # twelve characters, and whatever blanks and dashes a person types between them


class LetterSchema(CSRFSchema):
    """A new account whose activation code goes half by post, half by e-mail."""

    last_name = text_node(_("Last name"), MAX_NAME)
    first_name = text_node(_("First name"), MAX_NAME)
    middle_name = text_node(_("Middle name"), MAX_NAME, required=False)
    email = email_node(description=_("The second part of the code goes here; it is also the login."))
    phone = phone_node(required=False)
    language = colander.SchemaNode(
        colander.String(), title=_("Language of the e-mails"), validator=colander.OneOf(list(LANGUAGES)),
        widget=deform.widget.SelectWidget(values=list(LANGUAGES.items())))
    party = text_node(_("Party"), MAX_CUSTOMER_NUMBER, description=_(
        "The party the account will act for: its number in the portal or its accounting id."))
    address = colander.SchemaNode(
        colander.String(), title=_("Postal address"), preparer=strip_text, missing=None,
        validator=colander.Length(max=MAX_ADDRESS),
        description=_("Printed on the letter; the party's address if left empty."),
        widget=deform.widget.TextAreaWidget(rows=3))


def _part(title):
    return colander.SchemaNode(colander.String(), title=title, preparer=strip_text, insert_before="new_password",
                               validator=colander.Length(max=MAX_PART),
                               widget=deform.widget.TextInputWidget(attributes={"autocomplete": "off",
                                                                                "autocapitalize": "characters"}))


class ActivationSchema(SetPasswordSchema):
    """``/activate``: the part from the letter, the part from the e-mail, the new password twice."""

    letter_code = _part(_("Code from the letter"))
    email_code = _part(_("Code from the e-mail"))
