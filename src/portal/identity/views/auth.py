"""Login, logout and the landing page that sends each user where they belong."""
import deform
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.security import forget, remember
from pyramid.view import view_config, view_defaults

from portal.i18n import _, translate
from portal.identity.interfaces import IAuthService
from portal.identity.schemas import LoginSchema
from portal.root import Root
from portal.security.permissions import Permission
from portal.views.layout import safe_next

LOGIN_FAILED = _(
    "Wrong login or password, or the account is blocked or temporarily locked "
    "after too many failed attempts."
)
THROTTLED = _(
    "Too many failed logins from your address. Wait 15 minutes and try again."
)


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


@view_defaults(context=Root, name="login", permission=Permission.Public,
               renderer="portal:identity/templates/login.pt")
class LoginViews:
    """The login form; one message for every failure, so logins cannot be probed."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    def form(self):
        schema = LoginSchema().bind(request=self.request)
        return deform.Form(
            schema,
            buttons=(deform.Button("submit", _("Log in")),),
            formid="login",
            action=self.request.resource_url(self.context, "login", query=self._next_query()),
        )

    def _next_query(self):
        target = safe_next(self.request, self.request.params.get("next"), None)
        return {"next": target} if target else {}

    def _done(self):
        default = landing_url(self.request)
        return HTTPSeeOther(safe_next(self.request, self.request.params.get("next"), default))

    @view_config(request_method=("GET", "HEAD"))
    def get(self):
        if self.request.identity is not None:
            return self._done()
        return {"form": self.form().render(), "error": None}

    @view_config(request_method="POST")
    def post(self):
        form = self.form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            return {"form": failure.render(), "error": None}
        auth = self.request.find_service(IAuthService)
        result = auth.authenticate(
            appstruct["login"], appstruct["password"], self.request.client_addr or "unknown"
        )
        if result.user is None:
            self.request.response.status = 400 if result.error == "failed" else 429
            message = THROTTLED if result.error == "throttled" else LOGIN_FAILED
            return {
                "form": form.render({"login": appstruct["login"]}),
                "error": message,
            }
        remember(self.request, result.user.id)
        return self._done()


@view_config(context=Root, name="logout", permission=Permission.Public, request_method="POST")
def logout(context, request):
    forget(request)
    request.session.flash(translate(request, _("You have logged out.")), "info")
    return HTTPSeeOther(request.resource_url(context, "login"))
