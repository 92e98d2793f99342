"""Login, logout and the landing page that sends each user where they belong; the login's later
steps (second factor, new password) are in ``login_steps``."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import forget
from pyramid.view import view_config

from portal.audit.interfaces import IAuditService
from portal.i18n import _, translate
from portal.identity.auth import MAX_LOGIN_LENGTH, normalize_login
from portal.identity.interfaces import IAuthService
from portal.identity.login_steps import begin, landing_url, proceed
from portal.identity.schemas import LoginSchema
from portal.root import Root
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.layout import safe_next

LOGIN_FAILED = _(
    "Wrong login or password, or the account is blocked or temporarily locked "
    "after too many failed attempts."
)

def throttled_message(minutes):
    return _("Too many failed logins from your address: logins from it are refused for now. "
             "Please try again in ${minutes} min.", mapping={"minutes": minutes})


def locked_message(minutes):
    """Said alike for a login that exists and one that does not (see DatabaseAuthService)."""
    return _("Too many failed attempts for this login: it is locked for now. Please try again in "
             "${minutes} min, or ask an administrator to unlock it.", mapping={"minutes": minutes})


@view_config(context=Root, name="", permission=Permission.Public, request_method=("GET", "HEAD"))
def home(context, request):
    if request.identity is None:
        return HTTPSeeOther(request.resource_url(context, "login"))
    return HTTPSeeOther(landing_url(request))


LOGIN = dict(context=Root, name="login", permission=Permission.Public, renderer="portal:identity/templates/login.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **LOGIN)
@view_config(attr="post", request_method="POST", **LOGIN)
class LoginView(FormView):
    """The login form (a login name, or one's e-mail address or phone number); one message for every
    failure, so logins cannot be probed. A right password begins the login: its later steps
    (login_steps) end it."""

    schema_class = LoginSchema
    buttons = (("submit", _("Log in")),)
    formid = "login"
    # A form that does not validate (an empty or overlong login) comes back as it always has, 200;
    # wrong credentials are 400, and a throttled or locked login 429 (see success()).
    invalid_status = 200

    def action(self):
        return self.request.resource_url(self.context, "login", query=self._next_query())

    def _next_query(self):
        target = safe_next(self.request, self.request.params.get("next"), None)
        return {"next": target} if target else {}

    def _done(self):
        default = landing_url(self.request)
        return HTTPSeeOther(safe_next(self.request, self.request.params.get("next"), default))

    def page(self, form_html, error=None):
        return {"form": form_html, "error": error}

    def get(self):
        if self.request.identity is not None:
            return self._done()
        return super().get()

    def success(self, appstruct, upload):
        auth = self.request.find_service(IAuthService)
        result = auth.authenticate(
            appstruct["login"], appstruct["password"], self.request.client_addr or "unknown"
        )
        self.audit(appstruct["login"], result)
        if result.user is None:
            self.request.response.status = 400 if result.error == "failed" else 429
            if result.error == "throttled":
                message = throttled_message(result.retry_minutes)
            elif result.error == "locked":
                message = locked_message(result.retry_minutes)
            else:
                message = LOGIN_FAILED
            if result.retry_minutes:
                self.request.response.headers["Retry-After"] = str(result.retry_minutes * 60)
            return self.page(self.form().render({"login": appstruct["login"]}), message)
        begin(self.request, result.user, self._next_query().get("next"))
        return HTTPSeeOther(proceed(self.request, result.user))

    def audit(self, login, result):
        """A login, a failed one (with the login typed, never the password) and the failure that
        locked a login go into the audit log (the login itself once its last step is done, by
        ``proceed``). Attempts refused beforehand, while the login is
        locked or the address throttled, do not: they cost nothing, and writing each would let
        anyone fill the log."""
        audit = self.request.find_service(IAuditService)
        if result.counted:
            target = f"user:{result.user_id}" if result.user_id is not None else ""
            typed = normalize_login(login)[:MAX_LOGIN_LENGTH]
            if result.error == "locked":
                audit.record("login.lockout", target, login=typed, minutes=result.retry_minutes)
            else:
                audit.record("login.failure", target, login=typed)


@view_config(context=Root, name="logout", permission=Permission.Public, request_method="POST")
def logout(context, request):
    forget(request)
    request.session.flash(translate(request, _("You have logged out.")), "info")
    return HTTPSeeOther(request.resource_url(context, "login"))
