"""The forms staff publish the library with: a folder, a document's details (with its file when it is
new), a new version, withdrawing, attaching to a company.

They check the shape of the input; what needs the database (a company's accounting id, a folder
that no longer exists) is the services' to refuse.
"""
import colander
import deform

from portal.attachments.schemas import RequestTmpStore
from portal.forms import CSRFSchema, strip_text
from portal.i18n import _

MAX_TITLE = 200
MAX_TAG = 50
MAX_TAGS = 20
MAX_TAGS_TEXT = 1000
MAX_NOTE = 500
MAX_PARTIES_TEXT = 10_000
VISIBILITIES = (
    ("all", _("All customers")),
    ("chosen", _("Chosen companies and party groups")),
    ("staff", _("Staff only")),
)


def _title(title, **kw):
    return colander.SchemaNode(colander.String(), title=title, preparer=strip_text, missing=None,
                               validator=colander.Length(max=MAX_TITLE), **kw)


def _titled(node, value):
    if not (value.get("title_en") or value.get("title_ru")):
        error = colander.Invalid(node, _("Give a title in English, in Russian or both."))
        error["title_en"] = _("Give a title in English, in Russian or both.")
        raise error


def _tags_validator(node, value):
    tags = [t.strip() for t in value.replace(";", ",").split(",") if t.strip()]
    if len(tags) > MAX_TAGS:
        raise colander.Invalid(node, _("At most ${max} tags.", mapping={"max": MAX_TAGS}))
    if any(len(t) > MAX_TAG for t in tags):
        raise colander.Invalid(node, _("A tag has at most ${max} characters.", mapping={"max": MAX_TAG}))


def _date(title, **kw):
    return colander.SchemaNode(
        colander.Date(), title=title, missing=None,
        widget=deform.widget.TextInputWidget(attributes={"type": "date", "placeholder": "YYYY-MM-DD"}), **kw)


def file_node(**kw):
    """A required file, checked by content and size when it is stored (as attachments are)."""
    return colander.SchemaNode(deform.FileData(), title=_("File"),
                               description=_("PDF, image, text, Word or Excel file."),
                               widget=deform.widget.FileUploadWidget(RequestTmpStore()), **kw)


@colander.deferred
def _folder_widget(node, kw):
    return deform.widget.SelectWidget(values=[("", _("— no folder —"))] + list(kw["folders"]))


@colander.deferred
def _folder_validator(node, kw):
    return colander.OneOf([value for value, _title in kw["folders"]])


@colander.deferred
def _groups_widget(node, kw):
    return deform.widget.CheckboxChoiceWidget(values=list(kw["groups"]))


@colander.deferred
def _groups_validator(node, kw):
    return colander.ContainsOnly([value for value, _title in kw["groups"]])


def _validity(node, value):
    start, end = value.get("valid_from"), value.get("valid_to")
    if start and end and end < start:
        error = colander.Invalid(node, _("The end of validity is before its start."))
        error["valid_to"] = _("The end of validity is before its start.")
        raise error


def _visibility_chosen(node, value):
    if value.get("visibility") == "chosen" and not (value.get("parties") or value.get("groups")):
        error = colander.Invalid(node, _("Name the companies or choose the party groups the document is for."))
        error["parties"] = _("Name the companies or choose the party groups the document is for.")
        raise error


def _document_validator(node, value):
    _titled(node, value)
    _validity(node, value)
    _visibility_chosen(node, value)


class DocumentDetailsSchema(CSRFSchema):
    """A document's details: bind with ``request``, ``folders`` and ``groups`` ((value, title) pairs)."""

    title_en = _title(_("Title in English"))
    title_ru = _title(_("Title in Russian"))
    folder_id = colander.SchemaNode(colander.String(), title=_("Folder"), missing=None,
                                    widget=_folder_widget, validator=_folder_validator)
    tags = colander.SchemaNode(
        colander.String(), title=_("Tags"), preparer=strip_text, missing="",
        description=_("Separated by commas, e.g. “contract, 2026”. Customers search and filter by them."),
        validator=colander.All(colander.Length(max=MAX_TAGS_TEXT), _tags_validator))
    valid_from = _date(_("Valid from"), description=_("Optional. Customers see the document from this day."))
    valid_to = _date(_("Valid to"), description=_("Optional. Customers no longer see it after this day."))
    visibility = colander.SchemaNode(
        colander.String(), title=_("Shown to"), default="all",
        widget=deform.widget.SelectWidget(values=VISIBILITIES), validator=colander.OneOf([v for v, _t in VISIBILITIES]))
    parties = colander.SchemaNode(
        colander.String(), title=_("Companies"), preparer=strip_text, missing="",
        description=_("For “chosen”: accounting ids or tax ids, separated by commas or one per line."),
        validator=colander.Length(max=MAX_PARTIES_TEXT), widget=deform.widget.TextAreaWidget(rows=3))
    groups = colander.SchemaNode(
        colander.Set(), title=_("Party groups"), missing=(), description=_("For “chosen”: every company in them."),
        widget=_groups_widget, validator=_groups_validator)

    def validator(self, node, value):
        _document_validator(node, value)


class NewDocumentSchema(DocumentDetailsSchema):
    """Uploading a document: its details and its file."""

    file = file_node()


def _note():
    return colander.SchemaNode(colander.String(), title=_("What has changed"), preparer=strip_text, missing=None,
                               validator=colander.Length(max=MAX_NOTE), widget=deform.widget.TextAreaWidget(rows=2))


class ReplaceVersionSchema(CSRFSchema):
    """A new version of the document's file; the earlier ones are kept."""

    file = file_node()
    note = _note()


class WithdrawSchema(CSRFSchema):
    """Withdrawing a document: no customer sees it any more."""

    reason = colander.SchemaNode(colander.String(), title=_("Reason"), preparer=strip_text, missing=None,
                                 description=_("Optional; kept in the audit log."),
                                 validator=colander.Length(max=MAX_NOTE))


class AttachSchema(CSRFSchema):
    """Attaching a document to one company, so it shows as new on the company's home."""

    party = colander.SchemaNode(colander.String(), title=_("Company"), preparer=strip_text,
                                description=_("Its accounting id or tax id."), validator=colander.Length(max=64))


class FolderSchema(CSRFSchema):
    """A folder's titles (creating or retitling it)."""

    title_en = _title(_("Title in English"))
    title_ru = _title(_("Title in Russian"))

    def validator(self, node, value):
        _titled(node, value)
