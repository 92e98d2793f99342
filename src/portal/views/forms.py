"""Forms on pages: the ``FormView`` every form of the portal is, and the helpers it is made of."""
import colander
import deform

from portal.attachments.services import IAttachmentService, UploadRefused
from portal.i18n import _


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
    """

    schema_class = None
    buttons = (("submit", _("Save")),)
    formid = "deform"
    upload_field = None
    invalid_status = 400

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
            schema = self.schema_class().bind(request=self.request, **self.bind_kwargs())
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

    # --- the two views ---------------------------------------------------------------------------
    def get(self):
        return self.page(self.form().render(self.appstruct()))

    def post(self):
        form = self.form()
        try:
            if self.upload_field:
                appstruct, upload = validate_with_upload(self.request, form, self.upload_field)
            else:
                appstruct, upload = form.validate(self.request.POST.items()), None
        except deform.ValidationFailure as failure:
            return self.invalid(failure.render())
        except FormRefused as refused:
            return self.invalid(refused.html)
        try:
            return self.success(appstruct, upload)
        except FormRefused as refused:
            # Refused after validation: whatever success() had begun is not kept.
            self.request.tm.doom()
            return self.invalid(refused.html)
