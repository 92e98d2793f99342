"""Publishing the library (``/documents/``): every document and its export, uploading one, its page
(versions, whom it is shown to, where it is attached), changing its details, a new version,
withdrawing it, attaching it to a company, and any version's file.

Every view asks for ``Permission.DocumentsPublish`` (the area's ACL gives it to the back office and
admins); every change goes through services/publishing.py, which audits it. A refused form comes
back with its message (400) and nothing of it is kept: no row, and no file in the store.
"""
import colander
from pyramid.httpexceptions import HTTPSeeOther
from pyramid.view import view_config, view_defaults
from sqlalchemy import select

from portal.attachments.services import IAttachmentService
from portal.audit.interfaces import IAuditService
from portal.documents.mail import announce
from portal.documents.models import Document, DocumentFolder, DocumentState, DocumentVersion, DocumentVisibility
from portal.documents.resources import DocumentsArea, FoldersContainer, StaffDocument, VersionResource
from portal.documents.schemas import (
    VISIBILITIES,
    AttachSchema,
    DocumentDetailsSchema,
    NewDocumentSchema,
    ReplaceVersionSchema,
    WithdrawSchema,
)
from portal.documents.services import library, publishing
from portal.documents.services.publishing import DocumentRefused
from portal.i18n import _, translate
from portal.identity.models import User
from portal.outbox.letters import letters_for
from portal.security.permissions import Permission
from portal.views.forms import FormView
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.xlsx import Column

from . import version_download

STATE_LABELS = {DocumentState.published.value: _("Published"), DocumentState.withdrawn.value: _("Withdrawn")}
VISIBILITY_LABELS = dict(VISIBILITIES)


def done(request, message, url, queue="success"):
    """Flash ``message`` and go to ``url`` (POST, then redirect, then GET)."""
    request.session.flash(translate(request, message), queue)
    return HTTPSeeOther(url)


def folder_choices(request) -> list[tuple[str, str]]:
    language = request.locale_name
    folders = publishing.all_folders(request.dbsession)
    return sorted(((str(f.id), library.title_in(f, language)) for f in folders), key=lambda c: c[1].lower())


def group_choices(request) -> list[tuple[str, str]]:
    return [(str(g.id), g.name) for g in publishing.all_groups(request.dbsession)]


# --- the list ----------------------------------------------------------------------------
def staff_sorts(request):
    return {
        "title": library.title_column(Document, request.locale_name),
        "updated": Document.updated_at,
        "created": Document.created_at,
        "id": Document.id,
    }


def staff_export_columns(request):
    language = request.locale_name
    return (
        Column("#", lambda row: row.Document.id, kind="number", width=8),
        Column(_("Title in English"), lambda row: row.Document.title_en, width=40),
        Column(_("Title in Russian"), lambda row: row.Document.title_ru, width=40),
        Column(_("Folder"), lambda row: library.title_in(row.DocumentFolder, language) if row.DocumentFolder else None,
               width=28),
        Column(_("Tags"), lambda row: row.Document.tags or None, width=30),
        Column(_("Shown to"), lambda row: VISIBILITY_LABELS[row.Document.visibility], width=24),
        Column(_("State"), lambda row: STATE_LABELS[row.Document.state], width=14),
        Column(_("Valid from"), lambda row: row.Document.valid_from, kind="date"),
        Column(_("Valid to"), lambda row: row.Document.valid_to, kind="date"),
        Column(_("Version"), lambda row: row.Document.version, kind="number", width=9),
        Column(_("File"), lambda row: row.DocumentVersion.filename, width=36),
        Column(_("Updated"), lambda row: row.Document.updated_at, kind="datetime"),
    )


def staff_rows():
    """Every document with its current version and folder: (Document, DocumentVersion, DocumentFolder)."""
    return (
        select(Document, DocumentVersion, DocumentFolder)
        .join(DocumentVersion, library.current_version_join())
        .outerjoin(DocumentFolder, DocumentFolder.id == Document.folder_id)
    )


@view_config(context=DocumentsArea, name="", attr="page", permission=Permission.DocumentsPublish,
             request_method=("GET", "HEAD"), renderer="portal:documents/templates/staff_list.pt")
@view_config(context=DocumentsArea, name="export.xlsx", attr="export", permission=Permission.DocumentsPublish,
             request_method=("GET", "HEAD"))
class PublishedList(ListView):
    """Every document, whatever its state and visibility, searched by title and tag, filtered by folder,
    state and visibility: the page and its export."""

    spec = ListSpec(
        columns=staff_export_columns,
        sorts=staff_sorts, default_sort="-updated", tiebreak=Document.id,
        filters={"folder": (Document.folder_id, ANY_ID),
                 "state": (Document.state, set(STATE_LABELS)),
                 "visibility": (Document.visibility, set(VISIBILITY_LABELS))},
        search=(Document.title_en, Document.title_ru, Document.tags),
        title=_("Published documents"), ascii_name="published-documents", scalars=False,
    )

    def statement(self):
        return staff_rows()

    def extra(self, page):
        language = self.request.locale_name
        return {
            "folders": folder_choices(self.request),
            "states": STATE_LABELS,
            "visibilities": VISIBILITY_LABELS,
            "title_of": lambda obj: library.title_in(obj, language),
            "folders_url": self.request.resource_url(self.context, FoldersContainer.segment, ""),
        }


# --- the details of a document -------------------------------------------------------------
def detail_values(appstruct) -> dict:
    return {
        "title_en": appstruct["title_en"],
        "title_ru": appstruct["title_ru"],
        "folder_id": int(appstruct["folder_id"]) if appstruct["folder_id"] else None,
        "tags": library.join_tags(library.parse_tags(appstruct["tags"])),
        "valid_from": appstruct["valid_from"],
        "valid_to": appstruct["valid_to"],
        "visibility": appstruct["visibility"],
    }


class DetailsForm(FormView):
    """A form of a document's details: the choices of folders and groups, the audience it names."""

    def bind_kwargs(self):
        return {"folders": folder_choices(self.request), "groups": group_choices(self.request)}

    def audience(self, appstruct):
        """The parties and groups the form names, looked up (a refusal shows on the form)."""
        db = self.request.dbsession
        if appstruct["visibility"] != DocumentVisibility.chosen.value:
            return [], []
        try:
            return (publishing.resolve_parties(db, appstruct["parties"]),
                    publishing.resolve_groups(db, appstruct["groups"]))
        except DocumentRefused as refused:
            raise self.refusal(refused.message, refused.field) from None


NEW_DOCUMENT = dict(context=DocumentsArea, name="new", permission=Permission.DocumentsPublish,
                    renderer="portal:documents/templates/form_page.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **NEW_DOCUMENT)
@view_config(attr="post", request_method="POST", **NEW_DOCUMENT)
class NewDocumentView(DetailsForm):
    """Upload a document: its titles, folder, tags, validity, whom it is shown to, and its file."""

    schema_class = NewDocumentSchema
    buttons = (("submit", _("Publish")),)
    formid = "new-document"
    upload_field = "file"

    def action(self):
        return self.request.resource_url(self.context, "new")

    def page(self, form_html):
        return {"form": form_html, "heading": _("Upload a document"),
                "back_url": self.request.resource_url(self.context)}

    def success(self, appstruct, upload):
        request = self.request
        store = request.find_service(IAttachmentService)
        try:
            parties, groups = self.audience(appstruct)
            document = publishing.publish_document(
                request.dbsession, request.find_service(IAuditService), store, upload, detail_values(appstruct),
                parties=parties, groups=groups, user_id=request.authenticated_userid)
        except DocumentRefused as refused:
            store.discard(upload)
            raise self.refusal(refused.message, refused.field) from None
        except BaseException:
            store.discard(upload)
            raise
        return done(request, _("The document “${title}” has been published.",
                               mapping={"title": library.title_in(document, request.locale_name)}),
                    request.resource_url(self.context, str(document.id), ""))


EDIT_DOCUMENT = dict(context=StaffDocument, name="edit", permission=Permission.DocumentsPublish,
                     renderer="portal:documents/templates/form_page.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **EDIT_DOCUMENT)
@view_config(attr="post", request_method="POST", **EDIT_DOCUMENT)
class EditDocumentView(DetailsForm):
    """Change a document's details and whom it is shown to (its file is replaced by a new version)."""

    schema_class = DocumentDetailsSchema
    formid = "edit-document"

    def action(self):
        return self.request.resource_url(self.context, "edit")

    def appstruct(self):
        document = self.context.document
        parties, groups = publishing.audience_of(self.request.dbsession, document)
        return {
            "title_en": document.title_en or colander.null,
            "title_ru": document.title_ru or colander.null,
            "folder_id": str(document.folder_id) if document.folder_id else colander.null,
            "tags": document.tags or colander.null,
            "valid_from": document.valid_from or colander.null,
            "valid_to": document.valid_to or colander.null,
            "visibility": document.visibility,
            "parties": "\n".join(publishing.party_entry(p) for p in parties) or colander.null,
            "groups": {str(g.id) for g in groups},
        }

    def page(self, form_html):
        return {"form": form_html, "heading": _("Change the details"),
                "back_url": self.request.resource_url(self.context)}

    def success(self, appstruct, upload):
        request, document = self.request, self.context.document
        if document.state == DocumentState.withdrawn.value:
            raise self.refusal(_("The document has been withdrawn; it can no longer be changed."))
        parties, groups = self.audience(appstruct)
        try:
            changed = publishing.update_document(request.dbsession, request.find_service(IAuditService), document,
                                                 detail_values(appstruct), parties=parties, groups=groups)
        except DocumentRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        url = request.resource_url(self.context)
        if not changed:
            return done(request, _("Nothing has changed."), url, "info")
        return done(request, _("The details have been saved."), url)


# --- one document's page and its actions -------------------------------------------------------
def document_page(request, context, *, replace_html=None, attach_html=None, withdraw_html=None, error=None) -> dict:
    """The document's page: details, versions, audience, attachments, and the forms of what may be done."""
    db, document, language = request.dbsession, context.document, request.locale_name
    parties, groups = publishing.audience_of(db, document)
    folder = library.folder_of(db, document)
    versions = publishing.versions_of(db, document)
    notices = publishing.notices_of(db, document)
    active = document.state == DocumentState.published.value
    user_ids = {document.created_by_id, document.withdrawn_by_id} | {v.uploaded_by_id for v in versions} | {
        i for n, _p in notices for i in (n.attached_by_id, n.opened_by_id)}
    if error is not None:
        request.response.status = 400
    return {
        "document": document,
        "title": library.title_in(document, language),
        "folder_title": library.title_in(folder, language) if folder else None,
        "tags": library.tag_list(document),
        "state_label": STATE_LABELS[document.state],
        "visibility_label": VISIBILITY_LABELS[document.visibility],
        "versions": versions,
        "parties": parties,
        "groups": groups,
        "notices": notices,
        "active": active,
        "users": users_by_id(db, user_ids),
        "replace_form": replace_html or (ReplaceVersionView(context, request).form().render() if active else None),
        "attach_form": attach_html or (
            AttachView(context, request).form().render()
            if active and document.visibility != DocumentVisibility.staff.value else None),
        "withdraw_form": withdraw_html or (WithdrawView(context, request).form().render() if active else None),
        "error": error,
    }


def users_by_id(db, ids) -> dict:
    ids = [i for i in ids if i is not None]
    return {u.id: u for u in db.scalars(select(User).where(User.id.in_(ids)))} if ids else {}


class DocumentForm(FormView):
    """A form on a document's page; refused, the whole page comes back with the form and its errors (400)."""

    slot = None  # the document_page() argument the refused form goes to

    def __init__(self, context, request):
        super().__init__(context, request)
        self.document = context.document
        self.audit = request.find_service(IAuditService)

    def page(self, form_html):
        return document_page(self.request, self.context, **{self.slot: form_html})

    def back(self, message):
        return done(self.request, message, self.request.resource_url(self.context))


DOCUMENT_PAGE = dict(context=StaffDocument, permission=Permission.DocumentsPublish,
                     renderer="portal:documents/templates/staff_document.pt")


@view_config(name="replace", attr="post", request_method="POST", **DOCUMENT_PAGE)
class ReplaceVersionView(DocumentForm):
    """Upload a new version of the file; the earlier versions stay, listed on the page."""

    schema_class = ReplaceVersionSchema
    buttons = (("submit", _("Upload the new version")),)
    formid = "replace-version"
    upload_field = "file"
    slot = "replace_html"

    def action(self):
        return self.request.resource_url(self.context, "replace")

    def success(self, appstruct, upload):
        request = self.request
        store = request.find_service(IAttachmentService)
        try:
            version = publishing.replace_version(request.dbsession, self.audit, store, self.document, upload,
                                                 note=appstruct["note"], user_id=request.authenticated_userid)
        except DocumentRefused as refused:
            store.discard(upload)
            raise self.refusal(refused.message, refused.field) from None
        except BaseException:
            store.discard(upload)
            raise
        return self.back(_("Version ${number} is now the current one.", mapping={"number": version.number}))


@view_config(name="attach", attr="post", request_method="POST", **DOCUMENT_PAGE)
class AttachView(DocumentForm):
    """Attach the document to a company: it shows there as new until one of the company's users opens it."""

    schema_class = AttachSchema
    buttons = (("submit", _("Attach")),)
    formid = "attach-document"
    slot = "attach_html"

    def action(self):
        return self.request.resource_url(self.context, "attach")

    def success(self, appstruct, upload):
        db = self.request.dbsession
        try:
            party = publishing.find_party(db, appstruct["party"])
            publishing.attach_to_party(db, self.audit, self.document, party,
                                       user_id=self.request.authenticated_userid)
        except DocumentRefused as refused:
            raise self.refusal(refused.message, "party") from None
        announce(db, letters_for(self.request.registry), self.document, party)
        return self.back(_("The document is attached to ${name}: it shows there as new until one of its users "
                           "opens it.", mapping={"name": party.name}))


@view_config(name="withdraw", attr="post", request_method="POST", **DOCUMENT_PAGE)
class WithdrawView(DocumentForm):
    """Withdraw the document: no customer sees it any more; it is kept, with its versions, for the record."""

    schema_class = WithdrawSchema
    buttons = (("submit", _("Withdraw")),)
    formid = "withdraw-document"
    slot = "withdraw_html"

    def action(self):
        return self.request.resource_url(self.context, "withdraw")

    def success(self, appstruct, upload):
        try:
            publishing.withdraw_document(self.request.dbsession, self.audit, self.document,
                                         reason=appstruct["reason"], user_id=self.request.authenticated_userid)
        except DocumentRefused as refused:
            raise self.refusal(refused.message) from None
        return self.back(_("The document has been withdrawn: customers no longer see it."))


@view_defaults(**DOCUMENT_PAGE)
class StaffDocumentViews:
    """The document's page (GET)."""

    def __init__(self, context, request):
        self.context = context
        self.request = request

    @view_config(name="", request_method=("GET", "HEAD"))
    def show(self):
        return document_page(self.request, self.context)


@view_config(context=VersionResource, name="", permission=Permission.DocumentsPublish, request_method=("GET", "HEAD"))
def download_version(context, request):
    """Any version's file, withdrawn documents' too (staff only: the area's ACL)."""
    return version_download(request, context.version)
