"""``/register/``: self-registration (the form, the e-mail's link, the phone's code), and
``/account/memberships``: a registered user's companies and requests to act for more.

The pages between the link and the code know the person by the session alone (the link put the
registration there); a lost session is found again by registering once more with the same address,
which sends a fresh link. Every answer to the form is the same page, whether the address was new.
"""
from pyramid.httpexceptions import HTTPNotFound, HTTPSeeOther
from pyramid.view import view_config
from sqlalchemy import select

from portal.audit.interfaces import IAuditService
from portal.db.meta import utcnow
from portal.i18n import _, translate
from portal.identity.auth import minutes_until
from portal.identity.interfaces import IPasswordService
from portal.identity.resources import AccountArea
from portal.notifications.services import sms_enabled
from portal.onboarding.areas import RegisterArea
from portal.onboarding.limits import limiter
from portal.onboarding.models import MembershipRequestState, TokenPurpose
from portal.onboarding.phones import check_code, masked, send_code
from portal.onboarding.registration import (
    RegistrationRefused,
    complete,
    confirm_email,
    register,
    request_membership,
    requests_of,
    unfinished,
)
from portal.onboarding.registration_schemas import MembershipRequestSchema, PhoneCodeSchema, RegistrationSchema
from portal.onboarding.tokens import valid_token
from portal.outbox.letters import letters_for
from portal.parties.models import Membership, MembershipState, Party
from portal.security.permissions import Permission
from portal.views.forms import FormView

# The session's registration between the link and the code, and the address the last form named.
REGISTRATION_KEY = "registration.user"
SENT_KEY = "registration.sent"
REQUEST_STATE_TITLES = {
    MembershipRequestState.unconfirmed: _("registration not confirmed yet"),
    MembershipRequestState.requested: _("waiting for the back office"),
    MembershipRequestState.bound: _("bound"),
    MembershipRequestState.rejected: _("rejected"),
}


def too_many(request, when, message):
    """429 with Retry-After, and ``message`` saying in how many minutes."""
    minutes = minutes_until(when, utcnow())
    request.response.status = 429
    request.response.headers["Retry-After"] = str(minutes * 60)
    return _(message, mapping={"minutes": minutes})


TOO_MANY_REGISTRATIONS = _("Too many registrations from your address: please try again in ${minutes} min.")
TOO_MANY_CODES = _("Too many codes were sent to this number or from your address: please try again in "
                   "${minutes} min.")


def send_phone_code(request, user):
    """An SMS code to ``user``; the message to show when the limits hold it back, else None."""
    ip = request.client_addr or "unknown"
    wait = send_code(request.dbsession, letters_for(request.registry), user, ip=ip,
                     phone_limit=limiter(request, "sms.phone"), address_limit=limiter(request, "sms.address"))
    return None if wait is None else too_many(request, wait, TOO_MANY_CODES)


REGISTER = dict(context=RegisterArea, name="", permission=Permission.Public,
                renderer="portal:onboarding/templates/register.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **REGISTER)
@view_config(attr="post", request_method="POST", **REGISTER)
class RegisterView(FormView):
    """The registration form; its answer is "check your e-mail" whatever the address."""

    schema_class = RegistrationSchema
    buttons = (("submit", _("Register")),)
    formid = "register"

    def bind_kwargs(self):
        return {"passwords": self.request.find_service(IPasswordService)}

    def page(self, form_html, error=None):
        return {"form": form_html, "error": error, "sms": sms_enabled(self.request.registry.settings)}

    def logged_in(self):
        """Someone logged in asks to act for more companies from the account instead."""
        return HTTPSeeOther(self.request.resource_url(self.request.root, "account", "memberships"))

    def get(self):
        return self.logged_in() if self.request.identity is not None else super().get()

    def post(self):
        return self.logged_in() if self.request.identity is not None else super().post()

    def success(self, appstruct, upload):
        request = self.request
        ip = request.client_addr or "unknown"
        limit = limiter(request, "register.address")
        wait = limit.retry_after(ip)
        if wait is not None:
            shown = {k: v for k, v in appstruct.items() if k not in ("password", "confirmation")}
            return self.page(self.form().render(shown), too_many(request, wait, TOO_MANY_REGISTRATIONS))
        limit.hit(ip)
        user = register(request.dbsession, letters_for(request.registry), request.find_service(IPasswordService),
                        appstruct, ip=ip, language=request.locale_name)
        audit = request.find_service(IAuditService)
        if user is not None:
            audit.record("registration.new", f"user:{user.id}", as_user=user.id, company=appstruct["company_name"])
        else:
            audit.record("registration.address_in_use", "", email=appstruct["email"].lower())
        request.session[SENT_KEY] = appstruct["email"]
        return HTTPSeeOther(request.resource_url(self.context, "sent"))


@view_config(context=RegisterArea, name="sent", permission=Permission.Public, request_method=("GET", "HEAD"),
             renderer="portal:onboarding/templates/register_sent.pt")
def register_sent(context, request):
    return {"email": request.session.get(SENT_KEY)}


@view_config(context=RegisterArea, name="confirm", permission=Permission.Public, request_method=("GET", "HEAD"),
             renderer="portal:onboarding/templates/register_confirm.pt")
def confirm_page(context, request):
    """The e-mail's link: a button that confirms (a link scanner's GET confirms nothing)."""
    token = request.params.get("token", "")
    record = valid_token(request.dbsession, token, TokenPurpose.email_confirmation)
    if record is None:
        request.response.status = 400
    return {"token": token if record is not None else None, "user": record.user if record is not None else None}


@view_config(context=RegisterArea, name="confirm", permission=Permission.Public, request_method="POST",
             renderer="portal:onboarding/templates/register_confirm.pt")
def confirm(context, request):
    """The address is confirmed; then the phone's code (or, with no SMS here, the end)."""
    db = request.dbsession
    registration = confirm_email(db, request.POST.get("token", ""))
    if registration is None:
        request.response.status = 400
        return {"token": None, "user": None}
    request.session[REGISTRATION_KEY] = registration.user_id
    if not sms_enabled(request.registry.settings):
        complete(db, request.find_service(IAuditService), registration, phone_confirmed=False)
        request.session.pop(REGISTRATION_KEY, None)
        return HTTPSeeOther(request.resource_url(context, "done"))
    refused = send_phone_code(request, registration.user)
    if refused is not None:
        request.session.flash(translate(request, refused), "error")
    return HTTPSeeOther(request.resource_url(context, "phone"))


class PhoneStep(FormView):
    """A page of the phone's step: only with the registration the session holds."""

    def __init__(self, context, request):
        super().__init__(context, request)
        self.registration = unfinished(request.dbsession, request.session.get(REGISTRATION_KEY))

    def start_again(self):
        self.request.session.flash(translate(self.request, _(
            "Open the link in the e-mail we sent you first. No e-mail? Register again with the same address: "
            "a new link will come.")), "info")
        return HTTPSeeOther(self.request.resource_url(self.context))

    def get(self):
        return self.start_again() if self.registration is None else super().get()

    def post(self):
        return self.start_again() if self.registration is None else super().post()


PHONE = dict(context=RegisterArea, name="phone", permission=Permission.Public,
             renderer="portal:onboarding/templates/register_phone.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **PHONE)
@view_config(attr="post", request_method="POST", **PHONE)
class PhoneCodeView(PhoneStep):
    """The SMS code: five tries, then a new code (as the limits allow)."""

    schema_class = PhoneCodeSchema
    buttons = (("submit", _("Confirm")),)
    formid = "phone-code"

    def page(self, form_html, error=None):
        return {"form": form_html, "error": error, "phone": masked(self.registration.user.phone or "")}

    def wrong(self, message):
        """The form again with ``message``; what the try used up is kept (not a refusal)."""
        if self.request.response.status_int < 400:
            self.request.response.status = 400
        return self.page(self.form().render(), message)

    def success(self, appstruct, upload):
        request, user = self.request, self.registration.user
        result = check_code(request.dbsession, user, appstruct["code"])
        if result.outcome == "ok":
            complete(request.dbsession, request.find_service(IAuditService), self.registration, phone_confirmed=True)
            request.session.pop(REGISTRATION_KEY, None)
            return HTTPSeeOther(request.resource_url(self.context, "done"))
        if result.outcome == "wrong":
            return self.wrong(_("The code is wrong: ${tries} more tries with this code.",
                                mapping={"tries": result.tries_left}))
        refused = send_phone_code(request, user)
        return self.wrong(refused or _("That code can no longer be used: we sent you a new one."))


@view_config(context=RegisterArea, name="new-code", permission=Permission.Public, request_method="POST")
def new_code(context, request):
    """Another code, as the limits allow."""
    registration = unfinished(request.dbsession, request.session.get(REGISTRATION_KEY))
    if registration is None:
        return PhoneCodeView(context, request).start_again()
    refused = send_phone_code(request, registration.user)
    message, queue = (refused, "error") if refused else (_("A new code is on its way."), "success")
    request.session.flash(translate(request, message), queue)
    return HTTPSeeOther(request.resource_url(context, "phone"))


@view_config(context=RegisterArea, name="done", permission=Permission.Public, request_method=("GET", "HEAD"),
             renderer="portal:onboarding/templates/register_done.pt")
def register_done(context, request):
    return {}


MEMBERSHIPS = dict(context=AccountArea, name="memberships", permission=Permission.AccountEdit,
                   renderer="portal:onboarding/templates/memberships.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **MEMBERSHIPS)
@view_config(attr="post", request_method="POST", **MEMBERSHIPS)
class MembershipsView(FormView):
    """A customer's companies, requests and their answers, and the form asking for one more; staff
    are given parties by an administrator instead (404 for them)."""

    schema_class = MembershipRequestSchema
    buttons = (("submit", _("Ask to act for this company")),)
    formid = "membership-request"

    def __init__(self, context, request):
        if request.identity.is_staff:
            raise HTTPNotFound()
        super().__init__(context, request)
        self.user = request.identity.user

    def page(self, form_html):
        db = self.request.dbsession
        # The parties the user's principals give (a blocked party's members do not see it).
        parties = db.scalars(select(Party).where(Party.id.in_(sorted(self.request.identity.party_ids)))
                             .order_by(Party.name, Party.id)).all()
        return {"form": form_html, "parties": parties, "requests": requests_of(db, self.user.id),
                "state_titles": REQUEST_STATE_TITLES}

    def success(self, appstruct, upload):
        request = self.request
        limit = limiter(request, "membership.user")
        wait = limit.retry_after(self.user.id)
        if wait is not None:
            raise self.refusal(_("You have asked for many companies today: please try again in ${minutes} min.",
                                 mapping={"minutes": minutes_until(wait, utcnow())}))
        try:
            row = request_membership(request.dbsession, self.user, appstruct)
        except RegistrationRefused as refused:
            raise self.refusal(refused.message) from None
        limit.hit(self.user.id)
        request.find_service(IAuditService).record("registration.request", f"user:{self.user.id}", request=row.id,
                                                   company=row.company_name)
        request.session.flash(translate(request, _("Your request is with the back office. We will tell you "
                                                   "when it is decided.")), "success")
        return HTTPSeeOther(request.resource_url(self.context, "memberships"))


def select_parties(user_id):
    """The parties ``user_id`` has an active membership of, by name (what staff are shown of a person)."""
    return (select(Party).join(Membership, Membership.party_id == Party.id)
            .where(Membership.user_id == user_id, Membership.state == MembershipState.active)
            .order_by(Party.name, Party.id))
