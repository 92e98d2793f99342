"""The user's own account: profile, interface language, password."""
import deform
from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.view import view_config, view_defaults

from portal.audit.interfaces import IAuditService
from portal.i18n import LANGUAGES, SESSION_LANG_KEY, _, translate
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.resources import AccountArea
from portal.identity.schemas import ChangePasswordSchema
from portal.root import Root
from portal.security.permissions import Permission
from portal.views.layout import safe_next


@view_config(context=AccountArea, name="", permission=Permission.AccountView,
             request_method=("GET", "HEAD"), renderer="portal:identity/templates/profile.pt")
def profile(context, request):
    return {"user": request.identity.user}


@view_config(context=AccountArea, name="notifications", permission=Permission.AccountEdit,
             request_method="POST")
def set_notifications(context, request):
    """Whether news of one's own items also comes by e-mail (the in-app notices always do)."""
    user = request.identity.user
    user.email_notifications = request.POST.get("email_notifications") == "on"
    message = (_("You will get e-mails about your items.") if user.email_notifications
               else _("You will no longer get e-mails about your items."))
    request.session.flash(translate(request, message), "success")
    return HTTPSeeOther(request.resource_url(context))


@view_config(context=Root, name="language", permission=Permission.Public, request_method="POST")
def set_language(context, request):
    """Anyone may choose a language; a logged-in user keeps it as a setting."""
    language = request.POST.get("language", "")
    if language not in LANGUAGES:
        raise HTTPBadRequest()
    request.session[SESSION_LANG_KEY] = language
    if request.identity is not None:
        request.identity.user.language = language
    back = safe_next(request, request.POST.get("next"), request.resource_url(context))
    return HTTPSeeOther(back)


@view_defaults(context=AccountArea, name="password", permission=Permission.AccountEdit,
               renderer="portal:identity/templates/password.pt")
class ChangePasswordViews:
    """Change one's own password: current, new, confirmation; other sessions end."""

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self.user = request.identity.user

    def form(self):
        schema = ChangePasswordSchema().bind(
            request=self.request,
            passwords=self.request.find_service(IPasswordService),
            user=self.user,
            login=self.user.login,
        )
        return deform.Form(schema, buttons=(deform.Button("submit", _("Change password")),),
                           formid="password")

    @view_config(request_method=("GET", "HEAD"))
    def get(self):
        return {"form": self.form().render()}

    @view_config(request_method="POST")
    def post(self):
        form = self.form()
        try:
            appstruct = form.validate(self.request.POST.items())
        except deform.ValidationFailure as failure:
            self.request.response.status = 400
            return {"form": failure.render()}
        passwords = self.request.find_service(IPasswordService)
        self.user.password_hash = passwords.hash(appstruct["new_password"])
        self.request.find_service(IAuthService).end_all_sessions(self.user.id, keep_current=True)
        self.request.find_service(IAuditService).record("password.change", f"user:{self.user.id}")
        self.request.session.flash(translate(self.request, _("Your password has been changed.")), "success")
        return HTTPSeeOther(self.request.resource_url(self.context))
