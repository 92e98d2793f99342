"""Accounts made by post: the back office's form that makes one and answers with its letter (a PDF
to print and post; the e-mail with the other part goes to the outbox), and ``/activate``, where the
person types both parts and chooses a password. Wrong parts are counted per client address
(``activate.address``); the page says the same whichever part was wrong."""
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.response import Response
from pyramid.view import view_config

from portal.audit.interfaces import IAuditService
from portal.db.meta import utcnow
from portal.i18n import _, translate
from portal.identity.auth import minutes_until
from portal.identity.interfaces import IPasswordService
from portal.onboarding.activation import activate, find_activation, grouped, issue_letter
from portal.onboarding.activation_schemas import ActivationSchema, LetterSchema
from portal.onboarding.areas import RegistrationsArea
from portal.onboarding.limits import limiter
from portal.onboarding.registration import RegistrationRefused
from portal.outbox.letters import letters_for
from portal.parties.licence import licence_limit
from portal.pdf import PDF_TYPE, pdf_renderer
from portal.root import Root
from portal.security.permissions import Permission
from portal.views.downloads import content_disposition
from portal.views.forms import FormView

LETTER_TEMPLATE = "portal:onboarding/templates/activation_letter_pdf.pt"
LETTER = dict(context=RegistrationsArea, name="letter", permission=Permission.RegistrationsDecide,
              renderer="portal:onboarding/templates/letter.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **LETTER)
@view_config(attr="post", request_method="POST", **LETTER)
class LetterView(FormView):
    """A new account by post: the answer is the letter's PDF (its code part is in no other place)."""

    schema_class = LetterSchema
    buttons = (("submit", _("Make the account and print the letter")),)
    formid = "activation-letter"

    def appstruct(self):
        return {"language": self.request.locale_name}

    def success(self, appstruct, upload):
        request = self.request
        try:
            letter = issue_letter(request.dbsession, request.find_service(IAuditService), letters_for(request.registry),
                                  appstruct, actor_id=request.authenticated_userid)
        except RegistrationRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        values = {"user": letter.user, "party": letter.party, "code": grouped(letter.letter_part),
                  "address": appstruct.get("address") or letter.party.address or "",
                  "url": letters_for(request.registry).url("/activate"), "until": letter.expires_at}
        response = Response(body=pdf_renderer(request.registry).render(LETTER_TEMPLATE, values, request),
                            content_type=PDF_TYPE)
        response.headers["Content-Disposition"] = content_disposition(
            f"activation-{letter.user.login}.pdf", f"activation-{letter.user.id}.pdf")
        response.headers["Cache-Control"] = "no-store"
        return response


ACTIVATE = dict(context=Root, name="activate", permission=Permission.Public,
                renderer="portal:onboarding/templates/activate.pt")
NO_ACCOUNT = _("These codes open no account. Check both parts (the letter's and the e-mail's); a code "
               "works until the date the letter gives.")
TOO_MANY = _("Too many wrong codes from your address: please try again in ${minutes} min.")


@view_config(attr="get", request_method=("GET", "HEAD"), **ACTIVATE)
@view_config(attr="post", request_method="POST", **ACTIVATE)
class ActivateView(FormView):
    """Both parts and the new password; the account then logs in with it."""

    schema_class = ActivationSchema
    buttons = (("submit", _("Activate")),)
    formid = "activate"

    def bind_kwargs(self):
        return {"passwords": self.request.find_service(IPasswordService)}

    def page(self, form_html, error=None):
        return {"form": form_html, "error": error}

    def again(self, error, status):
        """The form with the codes as typed (never the passwords) and ``error``; counted, not refused."""
        self.request.response.status = status
        typed = {name: self.request.POST.get(name, "") for name in ("letter_code", "email_code")}
        return self.page(self.form().render(typed), error)

    def success(self, appstruct, upload):
        request = self.request
        ip = request.client_addr or "unknown"
        limit = limiter(request, "activate.address")
        wait = limit.retry_after(ip)
        if wait is not None:
            minutes = minutes_until(wait, utcnow())
            request.response.headers["Retry-After"] = str(minutes * 60)
            return self.again(_(TOO_MANY, mapping={"minutes": minutes}), 429)
        db = request.dbsession
        record = find_activation(db, appstruct["letter_code"], appstruct["email_code"])
        if record is None:
            limit.hit(ip)
            return self.again(NO_ACCOUNT, 400)
        passwords = request.find_service(IPasswordService)
        errors = passwords.strength_errors(appstruct["new_password"], record.user.login)
        if errors:
            raise self.refusal(errors[0], "new_password")
        try:
            user = activate(db, request.find_service(IAuditService), passwords, appstruct["letter_code"],
                            appstruct["email_code"], appstruct["new_password"], seats=licence_limit(request.registry))
        except RegistrationRefused as refused:
            raise self.refusal(refused.message) from None
        if user is None:  # used by another request at the same moment
            return self.again(NO_ACCOUNT, 400)
        request.session.flash(translate(request, _(
            "Your account is active. Log in with the login “${login}” and your new password.",
            mapping={"login": user.login})), "success")
        return HTTPSeeOther(request.resource_url(request.root, "login"))
