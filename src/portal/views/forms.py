"""Forms on pages: the ``FormView`` every form of the portal is, and the helpers it is made of."""
from urllib.parse import urlsplit, urlunsplit

import colander
import deform
from pyramid.httpexceptions import HTTPSeeOther

from portal.attachments.services import IAttachmentService, UploadRefused
from portal.formtokens.services import IFormTokenService, TokenRefused
from portal.i18n import _, translate

TOKEN_FIELD = "form_token"  # the hidden field of a form that files once (FormView.files_once)


class FormRefused(Exception):
    """A form that did not validate; ``html`` is the form rendered again with its errors."""

    def __init__(self, html):
        super().__init__("form refused")
        self.html = html


def field_error(form, name, message) -> str:
    """Render ``form`` again with ``message`` on field ``name`` (a check made after validation)."""
    error = colander.Invalid(form.schema, "")
    error[name] = message
    form.widget.handle_error(form, error)
    return form.render(form.cstruct)


def form_error(form, message) -> str:
    """Render ``form`` again with ``message`` above its fields (a check of the whole form)."""
    form.widget.handle_error(form, colander.Invalid(form.schema, message))
    return form.render(form.cstruct)


def validate_with_upload(request, form, field="attachment"):
    """The form's values and its optional upload, checked by content and size.

    Raises FormRefused (the response status set to 400) when either is refused,
    before anything is created.
    """
    try:
        appstruct = form.validate(request.POST.items())
    except deform.ValidationFailure as failure:
        request.response.status = 400
        raise FormRefused(failure.render()) from None
    upload = appstruct.get(field)
    if not upload:
        return appstruct, None
    try:
        checked = request.find_service(IAttachmentService).check(upload["fp"], upload["filename"])
    except UploadRefused as refused:
        request.response.status = 400
        raise FormRefused(field_error(form, field, refused.message)) from None
    return appstruct, checked


def attach_upload(request, checked, item, owner_type) -> None:
    """Keep a checked upload for the item just created (nothing when there was none)."""
    if checked is not None:
        request.find_service(IAttachmentService).attach(
            checked, party_id=item.party_id, owner_type=owner_type, owner_id=item.id,
            uploaded_by_id=request.authenticated_userid)


class FormView:
    """A form on a page: shown on GET, taken on POST, shown again with its errors (status 400) when refused.

    Every form of the portal is one of these, so each binds its schema, checks
    its upload and refuses bad input the same way, and nothing is written
    before the input is taken. A subclass sets ``schema_class``, ``buttons``
    ((name, title) pairs), ``formid`` and, for a form with a file,
    ``upload_field`` (checked by content and size before ``success`` runs, kept
    with ``attach``); it gives ``success(appstruct, upload)``, the response once
    the input is taken, and as needed ``bind_kwargs()`` (what the schema's
    deferreds need beyond the request), ``appstruct()`` (what a GET shows),
    ``action()`` (where the form posts) and ``page(form_html)`` (the template's
    values). It is registered with class-level ``@view_config(..., attr="get")``
    and ``@view_config(..., attr="post")``.

    A form that files something (a request, a ticket, a message) sets
    ``files_once``: each rendering carries a one-time token (formtokens/), and
    the same form sent again, even twice at the same moment, files nothing
    more and lands on the page the first one led to.
    """

    schema_class = None
    buttons = (("submit", _("Save")),)
    formid = "deform"
    upload_field = None
    invalid_status = 400
    files_once = False

    def __init__(self, context, request):
        self.context = context
        self.request = request
        self._form = None

    # --- what subclasses give ------------------------------------------------------------------
    def bind_kwargs(self) -> dict:
        """Values for the schema's deferreds besides ``request``."""
        return {}

    def action(self) -> str:
        """Where the form posts; "" is the page's own URL."""
        return ""

    def appstruct(self):
        """The values a GET shows in the form."""
        return colander.null

    def page(self, form_html) -> dict:
        """The template's values around the rendered form."""
        return {"form": form_html}

    def success(self, appstruct, upload):
        """Act on input that validated (``upload``: the checked file or None); returns the response.

        Raise ``self.refusal(message, field)`` for a check only this can make:
        the form is shown again with the message, and nothing of the request is kept.
        """
        raise NotImplementedError

    # --- the form --------------------------------------------------------------------------------
    def form(self) -> deform.Form:
        if self._form is None:
            schema = self.schema_class()
            if self.files_once:
                schema.add(colander.SchemaNode(colander.String(), name=TOKEN_FIELD, missing="",
                                               default=self.tokens().issue(self.formid),
                                               widget=deform.widget.HiddenWidget()))
            schema = schema.bind(request=self.request, **self.bind_kwargs())
            buttons = tuple(b if isinstance(b, deform.Button) else deform.Button(*b) for b in self.buttons)
            self._form = deform.Form(schema, buttons=buttons, formid=self.formid, action=self.action())
        return self._form

    def refusal(self, message, field=None) -> FormRefused:
        """The form again with ``message`` on ``field`` (on the whole form without one), to raise."""
        form = self.form()
        return FormRefused(field_error(form, field, message) if field else form_error(form, message))

    def invalid(self, form_html):
        """The response to refused input: the page with the form and its errors, status 400."""
        self.request.response.status = self.invalid_status
        return self.page(form_html)

    def attach(self, upload, item, owner_type) -> None:
        """Keep the checked upload for ``item`` just created (nothing when there was none)."""
        attach_upload(self.request, upload, item, owner_type)

    # --- filing once -----------------------------------------------------------------------------
    def tokens(self):
        return self.request.find_service(IFormTokenService)

    def token_refused(self, message) -> str:
        """The form again with what was sent, ``message`` above it and a new token."""
        form = self.form()
        try:
            form.validate(self.request.POST.items())  # fills form.cstruct (and the fields' errors)
        except deform.ValidationFailure:
            pass
        if not isinstance(form.cstruct, dict):
            form.cstruct = {}
        form.cstruct[TOKEN_FIELD] = self.tokens().issue(self.formid)
        return form_error(form, message)

    def already_filed(self, used):
        """The answer to a form sent again: the page the first sending led to."""
        request = self.request
        request.session.flash(translate(request, _("This form had already been sent; nothing was filed again. "
                                                   "Here is what it filed.")), "info")
        location = request.host_url + used.location if used.location else request.resource_url(self.context)
        return HTTPSeeOther(location)

    # --- the two views ---------------------------------------------------------------------------
    def get(self):
        return self.page(self.form().render(self.appstruct()))

    def post(self):
        form = self.form()
        nonce = None
        if self.files_once:
            try:
                nonce = self.tokens().verify(self.formid, self.request.POST.get(TOKEN_FIELD, ""))
            except TokenRefused as refused:
                return self.invalid(self.token_refused(refused.message))
            used = self.tokens().used(nonce)
            if used is not None:
                return self.already_filed(used)
        try:
            if self.upload_field:
                appstruct, upload = validate_with_upload(self.request, form, self.upload_field)
            else:
                appstruct, upload = form.validate(self.request.POST.items()), None
        except deform.ValidationFailure as failure:
            return self.invalid(failure.render())
        except FormRefused as refused:
            return self.invalid(refused.html)
        if nonce is not None:
            # Recorded before anything is filed, in the same transaction: a POST of the same form
            # at the same moment waits here for this one's commit, then finds the token used.
            used = self.tokens().claim(nonce, self.formid)
            if used is not None:
                if upload is not None:
                    self.request.find_service(IAttachmentService).discard(upload)
                return self.already_filed(used)
        try:
            response = self.success(appstruct, upload)
        except FormRefused as refused:
            # Refused after validation: whatever success() had begun is not kept (nor the token's use).
            self.request.tm.doom()
            return self.invalid(refused.html)
        if nonce is not None:
            self.tokens().record(nonce, local_part(getattr(response, "location", None) or self.request.path_qs))
        return response


def local_part(url: str) -> str:
    """The path, query and anchor of ``url`` (a redirect's target) without its scheme and host."""
    parts = urlsplit(url)
    return urlunsplit(("", "", parts.path or "/", parts.query, parts.fragment))
