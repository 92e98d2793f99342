"""Helpers for deform forms in views."""
import colander
import deform

from portal.attachments.services import IAttachmentService, UploadRefused


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
