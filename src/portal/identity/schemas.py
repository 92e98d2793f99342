"""Forms of the account: login, password change, an admin setting a password."""
import colander
import deform

from portal.forms import CSRFSchema
from portal.i18n import _

MAX_PASSWORD = 256


class LoginSchema(CSRFSchema):
    login = colander.SchemaNode(
        colander.String(),
        title=_("Login"),
        validator=colander.Length(max=64),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "username", "autofocus": "autofocus"}),
    )
    password = colander.SchemaNode(
        colander.String(),
        title=_("Password"),
        validator=colander.Length(max=MAX_PASSWORD),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )


@colander.deferred
def _new_password_validator(node, kw):
    passwords, login = kw["passwords"], kw.get("login", "")

    def validate(node, value):
        errors = passwords.strength_errors(value, login)
        if errors:
            raise colander.Invalid(node, errors[0])

    return colander.All(colander.Length(max=MAX_PASSWORD), validate)


def _confirmation_matches(form, value):
    if value["new_password"] != value["confirmation"]:
        exc = colander.Invalid(form, _("The passwords do not match."))
        exc["confirmation"] = _("The passwords do not match.")
        raise exc


class SetPasswordSchema(CSRFSchema):
    """An admin sets a user's password: new password and its confirmation."""

    new_password = colander.SchemaNode(
        colander.String(),
        title=_("New password"),
        validator=_new_password_validator,
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}),
    )
    confirmation = colander.SchemaNode(
        colander.String(),
        title=_("Repeat the new password"),
        validator=colander.Length(max=MAX_PASSWORD),
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_confirmation_matches, **kw)


@colander.deferred
def _current_password_validator(node, kw):
    passwords, user = kw["passwords"], kw["user"]
    # The view binds ``check_current`` to count a wrong password like a failed login.
    check = kw.get("check_current") or (lambda value: passwords.verify(user.password_hash, value))

    def validate(node, value):
        if not check(value):
            raise colander.Invalid(node, _("The current password is wrong."))

    return colander.All(colander.Length(max=MAX_PASSWORD), validate)


class ChangePasswordSchema(SetPasswordSchema):
    """A user changes their own password: the current one first."""

    current_password = colander.SchemaNode(
        colander.String(),
        title=_("Current password"),
        validator=_current_password_validator,
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
        insert_before="new_password",
    )


class TwoFactorCodeSchema(CSRFSchema):
    """A second factor: the authenticator app's six digits, or a recovery code where ``recovery``."""

    code = colander.SchemaNode(
        colander.String(),
        title=_("Code"),
        validator=colander.Length(max=32),
        widget=deform.widget.TextInputWidget(attributes={
            "autocomplete": "one-time-code", "autofocus": "autofocus", "spellcheck": "false"}),
    )


class TurnOffTwoFactorSchema(CSRFSchema):
    """Turning two-factor off takes the current password (a wrong one counts as a failed login)."""

    current_password = colander.SchemaNode(
        colander.String(),
        title=_("Current password"),
        validator=_current_password_validator,
        widget=deform.widget.PasswordWidget(attributes={"autocomplete": "current-password"}),
    )


class ForgotPasswordSchema(CSRFSchema):
    """The e-mail address a password-reset link goes to."""

    email = colander.SchemaNode(
        colander.String(),
        title=_("E-mail"),
        validator=colander.All(colander.Length(max=254),
                               colander.Email(msg=_("Enter an e-mail address such as name@example.com."))),
        widget=deform.widget.TextInputWidget(attributes={"autocomplete": "email", "autofocus": "autofocus",
                                                         "type": "email"}),
    )
