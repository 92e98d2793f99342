"""``/account/two-factor``: the user's own two-factor login (identity/two_factor.py) — set it up with
an authenticator app, make new recovery codes, turn it off (with the current password; not for staff
while the setting requires it)."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.audit.interfaces import IAuditService
from portal.db.meta import utcnow
from portal.i18n import _, translate
from portal.identity import two_factor
from portal.identity.resources import AccountArea
from portal.identity.schemas import TurnOffTwoFactorSchema, TwoFactorCodeSchema
from portal.identity.views.account import CurrentPasswordForm
from portal.security.permissions import Permission
from portal.views.forms import FormView

PAGE = "two-factor"
TEMPLATE = "portal:identity/templates/two_factor.pt"
WRONG_CODE = _("The code is wrong or has expired. Type the code your app shows now.")


def two_factor_page(request, context, *, code_html=None, off_html=None) -> dict:
    """The page in the state the user's two-factor is in, with a refused form in its place."""
    user = request.identity.user
    settings = request.registry.settings
    values = {"user": user, "enabled": two_factor.is_enabled(user), "setting_up": two_factor.is_being_set_up(user),
              "required": two_factor.is_required(user, settings), "qr_svg": None, "secret": None,
              "codes_left": None, "code_form": None, "off_form": None}
    if values["setting_up"]:
        values["qr_svg"] = two_factor.qr_svg(two_factor.provisioning_uri(user, settings))
        values["secret"] = two_factor.grouped_secret(user)
    if values["enabled"]:
        values["codes_left"] = two_factor.recovery_codes_left(request.dbsession, user)
        values["off_form"] = off_html or TurnOffView(context, request).form().render()
    if values["enabled"] or values["setting_up"]:
        values["code_form"] = code_html or CodeView(context, request).form().render()
    return values


@view_config(context=AccountArea, name=PAGE, permission=Permission.AccountView,
             request_method=("GET", "HEAD"), renderer=TEMPLATE)
def page(context, request):
    return two_factor_page(request, context)


@view_config(context=AccountArea, name=f"{PAGE}-start", permission=Permission.AccountEdit, request_method="POST")
def start(context, request):
    """A new secret to scan (a setup begun earlier starts over); two-factor is on once its code is typed."""
    user = request.identity.user
    if two_factor.is_enabled(user):
        request.session.flash(translate(request, _("Two-factor login is already on.")), "info")
    else:
        two_factor.begin_setup(user)
    return HTTPSeeOther(request.resource_url(context, PAGE))


CODE_FORM = dict(context=AccountArea, name=f"{PAGE}-code", permission=Permission.AccountEdit,
                 request_method="POST", renderer=TEMPLATE)


@view_config(attr="post", **CODE_FORM)
class CodeView(FormView):
    """A code of the app: while setting up it turns two-factor on, once on it makes new recovery codes
    (the old ones die); either way the new codes are shown this once."""

    schema_class = TwoFactorCodeSchema
    formid = "two-factor-code"

    def __init__(self, context, request):
        super().__init__(context, request)
        self.user = request.identity.user
        self.buttons = ((("submit", _("Make new recovery codes")),) if two_factor.is_enabled(self.user)
                        else (("submit", _("Turn two-factor on")),))

    def action(self):
        return self.request.resource_url(self.context, f"{PAGE}-code")

    def page(self, form_html):
        return two_factor_page(self.request, self.context, code_html=form_html)

    def success(self, appstruct, upload):
        db, now = self.request.dbsession, utcnow()
        audit = self.request.find_service(IAuditService)
        if two_factor.is_enabled(self.user):
            accepted = two_factor.verify(db, self.user, appstruct["code"], now) == "totp"
            codes = two_factor.new_recovery_codes(db, self.user, now) if accepted else None
            action = "two_factor.recovery_codes"
        else:
            codes = two_factor.confirm_setup(db, self.user, appstruct["code"], now)
            action = "two_factor.enable"
        if codes is None:
            raise self.refusal(WRONG_CODE, "code")
        audit.record(action, f"user:{self.user.id}")
        self.request.override_renderer = "portal:identity/templates/recovery_codes.pt"
        return {"codes": codes, "continue_url": self.request.resource_url(self.context, PAGE)}


OFF_FORM = dict(context=AccountArea, name=f"{PAGE}-off", permission=Permission.AccountEdit,
                request_method="POST", renderer=TEMPLATE)


@view_config(attr="post", **OFF_FORM)
class TurnOffView(CurrentPasswordForm):
    """Two-factor off with the current password (a wrong one counts as a failed login)."""

    schema_class = TurnOffTwoFactorSchema
    buttons = (("submit", _("Turn two-factor off")),)
    formid = "two-factor-off"

    def action(self):
        return self.request.resource_url(self.context, f"{PAGE}-off")

    def page(self, form_html):
        return two_factor_page(self.request, self.context, off_html=form_html)

    def success(self, appstruct, upload):
        if two_factor.is_required(self.user, self.request.registry.settings):
            raise self.refusal(_("Staff must log in with two-factor here: it cannot be turned off."))
        two_factor.turn_off(self.request.dbsession, self.user)
        self.request.find_service(IAuditService).record("two_factor.disable", f"user:{self.user.id}")
        self.request.session.flash(translate(self.request, _("Two-factor login is off.")), "success")
        return HTTPSeeOther(self.request.resource_url(self.context, PAGE))
