"""The user's own account: profile, interface language, password (what reaches the user how is
notifications/views.py's ``/account/notifications``)."""
from pyramid.httpexceptions import HTTPBadRequest, HTTPSeeOther
from pyramid.view import view_config

from portal.audit.interfaces import IAuditService
from portal.i18n import LANGUAGES, SESSION_LANG_KEY, _, translate
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.resources import AccountArea
from portal.identity.schemas import ChangePasswordSchema
from portal.root import Root
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.layout import safe_next


@view_config(context=AccountArea, name="", permission=Permission.AccountView,
             request_method=("GET", "HEAD"), renderer="portal:identity/templates/profile.pt")
def profile(context, request):
    return {"user": request.identity.user}


@view_config(context=Root, name="language", permission=Permission.Public, request_method="POST")
def set_language(context, request):
    """Anyone may choose the language of the pages for this session (the header's buttons); the
    account page's form (``save=1``) also keeps it as the user's setting, which e-mails follow."""
    language = request.POST.get("language", "")
    if language not in LANGUAGES:
        raise HTTPBadRequest()
    request.session[SESSION_LANG_KEY] = language
    if request.identity is not None and request.POST.get("save") == "1":
        request.identity.user.language = language
    back = safe_next(request, request.POST.get("next"), request.resource_url(context))
    return HTTPSeeOther(back)


PASSWORD_FORM = dict(context=AccountArea, name="password", permission=Permission.AccountEdit,
                     renderer="portal:identity/templates/password.pt")


class CurrentPasswordForm(FormView):
    """A form of one's own account that asks for the current password (password change, two-factor
    off): a wrong one counts as a failed login, and once they lock the login this session ends."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.user = request.identity.user

    def bind_kwargs(self):
        return {
            "passwords": self.request.find_service(IPasswordService),
            "user": self.user,
            "login": self.user.login,
            "check_current": self.check_current,
        }

    locked = None  # the LoginResult once wrong current passwords have locked the login

    def check_current(self, password) -> bool:
        """A wrong current password counts like a failed login (portal.login.max_failures)."""
        result = self.request.find_service(IAuthService).check_current_password(
            self.user, password, self.request.client_addr or "unknown")
        if result.error == "locked":
            self.locked = result
        return result.user is not None

    def log_out(self):
        """Too many wrong current passwords: this session ends, as the login is locked."""
        self.request.find_service(IAuditService).record("password.too_many_wrong", f"user:{self.user.id}")
        self.request.find_service(IAuthService).end_session()
        message = _("You have been logged out: the current password was wrong too many times. "
                    "Please try again in ${minutes} min.", mapping={"minutes": self.locked.retry_minutes})
        self.request.session.flash(translate(self.request, message), "error")
        return HTTPSeeOther(self.request.resource_url(self.request.root, "login"))

    def invalid(self, form_html):
        if self.locked is not None:
            return self.log_out()
        return super().invalid(form_html)


@view_config(attr="get", request_method=("GET", "HEAD"), **PASSWORD_FORM)
@view_config(attr="post", request_method="POST", **PASSWORD_FORM)
class ChangePasswordView(CurrentPasswordForm):
    """Change one's own password: current, new, confirmation; other sessions end."""

    schema_class = ChangePasswordSchema
    buttons = (("submit", _("Change password")),)
    formid = "password"

    def success(self, appstruct, upload):
        passwords = self.request.find_service(IPasswordService)
        self.user.password_hash = passwords.hash(appstruct["new_password"])
        self.request.find_service(IAuthService).end_all_sessions(self.user.id, keep_current=True)
        self.request.find_service(IAuditService).record("password.change", f"user:{self.user.id}")
        self.request.session.flash(translate(self.request, _("Your password has been changed.")), "success")
        return HTTPSeeOther(self.request.resource_url(self.context))
