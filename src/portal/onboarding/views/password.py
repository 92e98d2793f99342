"""``/password/forgot`` asks for a reset link, ``/password/reset/<token>`` sets the new password.

The forgot form answers every address alike, known or not, and is limited like logins: each request
counts as a failed login of the address typed and of the client address (portal.login.*), so it can
neither probe nor flood mailboxes. A link's page is the same for a forged, used or expired token.
"""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config

from portal.audit.interfaces import IAuditService
from portal.i18n import _, translate
from portal.identity.interfaces import IAuthService, IPasswordService
from portal.identity.schemas import ForgotPasswordSchema, SetPasswordSchema
from portal.onboarding.models import TokenPurpose
from portal.onboarding.password_reset import reset_lifetime, send_reset_links, set_password_by_link
from portal.onboarding.resources import PasswordArea, ResetLinks, TokenLink
from portal.onboarding.tokens import valid_token
from portal.outbox.letters import letters_for
from portal.security.permissions import Permission
from portal.views.forms import FormView

FORGOT = dict(context=PasswordArea, name="forgot", permission=Permission.Public,
              renderer="portal:onboarding/templates/forgot.pt")
TOO_MANY = _("Too many password-reset requests: please try again in ${minutes} min.")


@view_config(attr="get", request_method=("GET", "HEAD"), **FORGOT)
@view_config(attr="post", request_method="POST", **FORGOT)
class ForgotPasswordView(FormView):
    """The e-mail address; the same answer whether any user has it."""

    schema_class = ForgotPasswordSchema
    buttons = (("submit", _("Send me a link")),)
    formid = "forgot-password"

    def page(self, form_html, sent=False, error=None):
        return {"form": form_html, "sent": sent, "error": error,
                "minutes": int(reset_lifetime(self.request.registry.settings).total_seconds() // 60)}

    def success(self, appstruct, upload):
        email = appstruct["email"].strip().lower()
        auth = self.request.find_service(IAuthService)
        ip = self.request.client_addr or "unknown"
        key = f"reset:{email}"
        refusal = auth.refusal(key, ip)
        if refusal is not None:
            self.request.response.status = 429
            self.request.response.headers["Retry-After"] = str(refusal.retry_minutes * 60)
            return self.page(self.form().render(), error=_(TOO_MANY, mapping={"minutes": refusal.retry_minutes}))
        auth.count_failure(key, ip)
        sent = send_reset_links(self.request.dbsession, letters_for(self.request.registry), email,
                                reset_lifetime(self.request.registry.settings))
        if sent:
            self.request.find_service(IAuditService).record("password.reset_request", "", email=email, users=sent)
        return self.page(None, sent=True)


class LinkPasswordView(FormView):
    """A page an e-mailed link opens to set the password (reset, invitation): the form while the
    token is good, otherwise one page for every reason it is not."""

    schema_class = SetPasswordSchema
    purpose = None
    audit_action = None
    done_message = None
    invalid_page = "portal:onboarding/templates/link_invalid.pt"

    def __init__(self, context, request):
        super().__init__(context, request)
        record = valid_token(request.dbsession, context.token, self.purpose)
        self.user = record.user if record is not None and record.user.is_active else None

    def bind_kwargs(self):
        return {"passwords": self.request.find_service(IPasswordService), "login": self.user.login}

    def page(self, form_html):
        return {"form": form_html, "user": self.user}

    def invalid_link(self):
        self.request.response.status = 404
        self.request.override_renderer = self.invalid_page
        return {"purpose": self.purpose.value}

    def get(self):
        return super().get() if self.user is not None else self.invalid_link()

    def post(self):
        return super().post() if self.user is not None else self.invalid_link()

    def success(self, appstruct, upload):
        user = set_password_by_link(self.request.dbsession, self.request.find_service(IPasswordService),
                                    self.request.find_service(IAuthService), self.context.token, self.purpose,
                                    appstruct["new_password"])
        if user is None:  # used a moment ago by another request
            return self.invalid_link()
        self.request.find_service(IAuditService).record(self.audit_action, f"user:{user.id}", as_user=user.id)
        self.request.session.flash(translate(self.request, _(self.done_message, mapping={"login": user.login})),
                                   "success")
        return HTTPSeeOther(self.request.resource_url(self.request.root, "login"))


RESET = dict(context=TokenLink, name="", permission=Permission.Public, containment=ResetLinks,
             renderer="portal:onboarding/templates/link_password.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **RESET)
@view_config(attr="post", request_method="POST", **RESET)
class ResetPasswordView(LinkPasswordView):
    """``/password/reset/<token>``: the new password, then log in with it."""

    buttons = (("submit", _("Set password")),)
    formid = "reset-password"
    purpose = TokenPurpose.password_reset
    audit_action = "password.reset"
    done_message = _("Your password has been set. Log in with your login “${login}” and the new password.")
