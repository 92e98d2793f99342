"""The login's later steps (identity/login_steps.py): ``/two-factor`` asks for the code (or, for staff
who must have two-factor, sets it up), ``/new-password`` replaces a temporary password.

Both open only while a login is half done in this session; otherwise they send to ``/login``. A wrong
code counts as a failed login of the user, with the same lock.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.audit.interfaces import IAuditService
from portal.db.meta import utcnow
from portal.i18n import _, translate
from portal.identity import login_steps, two_factor
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.schemas import SetPasswordSchema, TwoFactorCodeSchema
from portal.identity.views.auth import locked_message, throttled_message
from portal.root import Root
from portal.security.permissions import Permission
from portal.views.forms import FormView

WRONG_CODE = _("The code is wrong or has expired. Type the code your app shows now, or a recovery code.")
EXPIRED = _("Your login took too long. Please log in again.")


class LoginStepView(FormView):
    """A step of a half-done login: ``self.user`` is who is logging in."""

    step = None

    def __init__(self, context, request):
        super().__init__(context, request)
        self.user = login_steps.pending_user(request)

    def not_pending(self):
        """No login in progress (or not at this step): back to the login form."""
        if self.request.method == "POST":
            self.request.session.flash(translate(self.request, EXPIRED), "error")
        return HTTPSeeOther(self.request.resource_url(self.request.root, "login"))

    def at_step(self) -> bool:
        return self.user is not None and login_steps.next_step(self.request, self.user) == self.step

    def get(self):
        return super().get() if self.at_step() else self.not_pending()

    def post(self):
        return super().post() if self.at_step() else self.not_pending()

    def done(self):
        login_steps.passed(self.request, self.step, self.user)
        return HTTPSeeOther(login_steps.proceed(self.request, self.user))


CODE_STEP = dict(context=Root, name=login_steps.TWO_FACTOR, permission=Permission.Public,
                 renderer="portal:identity/templates/login_code.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **CODE_STEP)
@view_config(attr="post", request_method="POST", **CODE_STEP)
class TwoFactorStepView(LoginStepView):
    """The code of the user's authenticator app or a recovery code; for staff who must have
    two-factor and have not set it up, the QR code to scan first (the recovery codes follow)."""

    schema_class = TwoFactorCodeSchema
    buttons = (("submit", _("Continue")),)
    formid = "two-factor"
    step = login_steps.TWO_FACTOR

    def page(self, form_html, error=None):
        setting_up = two_factor.is_being_set_up(self.user)
        uri = two_factor.provisioning_uri(self.user, self.request.registry.settings) if setting_up else None
        return {"form": form_html, "setting_up": setting_up, "error": error,
                "qr_svg": two_factor.qr_svg(uri) if uri else None,
                "secret": two_factor.grouped_secret(self.user) if setting_up else None}

    def refused(self, result):
        """Locked or throttled: the half-done login ends, and the login form says for how long."""
        login_steps.abandon(self.request)
        message = (throttled_message if result.error == "throttled" else locked_message)(result.retry_minutes)
        self.request.session.flash(translate(self.request, message), "error")
        return HTTPSeeOther(self.request.resource_url(self.request.root, "login"))

    def success(self, appstruct, upload):
        auth = self.request.find_service(IAuthService)
        ip = self.request.client_addr or "unknown"
        refusal = auth.refusal(self.user.login, ip, self.user)
        if refusal is not None:
            return self.refused(refusal)
        now = utcnow()
        audit = self.request.find_service(IAuditService)
        if not two_factor.is_enabled(self.user):
            codes = two_factor.confirm_setup(self.request.dbsession, self.user, appstruct["code"], now)
            if codes is None:
                return self.wrong_code(auth, ip)
            audit.record("two_factor.enable", f"user:{self.user.id}", as_user=self.user.id)
            login_steps.passed(self.request, self.step, self.user)
            return self.recovery_codes(codes, login_steps.proceed(self.request, self.user))
        accepted = two_factor.verify(self.request.dbsession, self.user, appstruct["code"], now)
        if accepted is None:
            return self.wrong_code(auth, ip)
        response = self.done()
        if accepted == "recovery":  # told in the new session: the login's start cleared the old one
            audit.record("two_factor.recovery_code_used", f"user:{self.user.id}", as_user=self.user.id)
            left = two_factor.recovery_codes_left(self.request.dbsession, self.user)
            self.request.session.flash(translate(self.request, _(
                "You logged in with a recovery code; ${count} are left. Make new ones on your account's "
                "two-factor page.", mapping={"count": left})), "info")
        return response

    def wrong_code(self, auth, ip):
        result = auth.count_failure(self.user.login, ip, self.user)
        self.request.find_service(IAuditService).record(
            "login.two_factor_failure", f"user:{self.user.id}", login=self.user.login)
        if result.error == "locked":
            return self.refused(result)
        self.request.response.status = 400
        return self.page(self.form().render(), WRONG_CODE)

    def recovery_codes(self, codes, continue_url):
        """The recovery codes, shown this once, with the way on (the flash would keep them in the cookie)."""
        self.request.override_renderer = "portal:identity/templates/recovery_codes.pt"
        return {"codes": codes, "continue_url": continue_url}


PASSWORD_STEP = dict(context=Root, name=login_steps.NEW_PASSWORD, permission=Permission.Public,
                     renderer="portal:identity/templates/new_password.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **PASSWORD_STEP)
@view_config(attr="post", request_method="POST", **PASSWORD_STEP)
class NewPasswordStepView(LoginStepView):
    """The temporary password typed at the login is replaced before the login session starts."""

    schema_class = SetPasswordSchema
    buttons = (("submit", _("Set password and log in")),)
    formid = "new-password"
    step = login_steps.NEW_PASSWORD

    def bind_kwargs(self):
        return {"passwords": self.request.find_service(IPasswordService), "login": self.user.login}

    def success(self, appstruct, upload):
        passwords = self.request.find_service(IPasswordService)
        if passwords.verify(self.user.password_hash, appstruct["new_password"]):
            raise self.refusal(_("Choose a password of your own, not the temporary one."), "new_password")
        self.user.password_hash = passwords.hash(appstruct["new_password"])
        self.user.must_change_password = False
        self.request.find_service(IAuthService).end_all_sessions(self.user.id)
        self.request.find_service(IAuditService).record("password.change", f"user:{self.user.id}",
                                                        as_user=self.user.id, temporary=True)
        return self.done()
