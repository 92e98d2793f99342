"""Login, logout and the landing page that sends each user where they belong."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import forget, remember
from pyramid.view import view_config

from portal.audit.interfaces import IAuditService
from portal.i18n import _, translate
from portal.identity.auth import MAX_LOGIN_LENGTH, normalize_login
from portal.identity.interfaces import IAuthService
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


def landing_url(request):
    """Staff and holding users land on the party list; a one-party customer on its home."""
    identity = request.identity
    if identity is not None and not identity.is_staff and len(identity.party_ids) == 1:
        (party_id,) = identity.party_ids
        return request.resource_url(request.root, "p", str(party_id))
    return request.resource_url(request.root, "p")


@view_config(context=Root, name="", permission=Permission.Public, request_method=("GET", "HEAD"))
def home(context, request):
    if request.identity is None:
        return HTTPSeeOther(request.resource_url(context, "login"))
    return HTTPSeeOther(landing_url(request))


LOGIN = dict(context=Root, name="login", permission=Permission.Public, renderer="portal:identity/templates/login.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **LOGIN)
@view_config(attr="post", request_method="POST", **LOGIN)
class LoginView(FormView):
    """The login form; one message for every failure, so logins cannot be probed."""

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
        remember(self.request, result.user.id)
        return self._done()

    def audit(self, login, result):
        """A login, a failed one (with the login typed, never the password) and the failure that
        locked a login go into the audit log. Attempts refused beforehand, while the login is
        locked or the address throttled, do not: they cost nothing, and writing each would let
        anyone fill the log."""
        audit = self.request.find_service(IAuditService)
        if result.user is not None:
            audit.record("login.success", f"user:{result.user.id}", as_user=result.user.id)
        elif result.counted:
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
