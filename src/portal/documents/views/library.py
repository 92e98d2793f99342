"""The party's library: its documents by folder, searched by title and tag, paged, sorted and
exported; one document's page and its download; the new ones on the party's home.

Opening a document (its page or its file) by a user of the party is what makes it no longer new
to the party; staff and the party's managers opening it change nothing.
"""
from pyramid.decorator import reify
from pyramid.view import view_config

from portal.documents.models import Document
from portal.documents.resources import PartyDocument, PartyDocuments, company_today
from portal.documents.services import library
from portal.i18n import _
from portal.security.permissions import Permission
from portal.views.listing import ANY_ID, ListSpec, ListView
from portal.views.xlsx import Column

from . import version_download

YES = _("yes")


def is_party_user(request, party_id) -> bool:
    """A user acting for the party (an active member), not staff looking at it."""
    identity = request.identity
    return identity is not None and party_id in identity.party_ids and not identity.is_staff


def library_sorts(request):
    return {
        "title": library.title_column(Document, request.locale_name),
        "updated": Document.updated_at,
        "valid_from": Document.valid_from,
    }


def export_columns(request):
    language = request.locale_name
    return (
        Column(_("Title"), lambda row: library.title_in(row.Document, language), width=50),
        Column(_("Folder"), lambda row: row.folder_title, width=28),
        Column(_("Tags"), lambda row: row.Document.tags or None, width=30),
        Column(_("Valid from"), lambda row: row.Document.valid_from, kind="date"),
        Column(_("Valid to"), lambda row: row.Document.valid_to, kind="date"),
        Column(_("Updated"), lambda row: row.Document.updated_at, kind="datetime"),
        Column(_("File"), lambda row: row.filename, width=36),
        Column(_("Size, bytes"), lambda row: row.size, kind="number", width=12),
        Column(_("New"), lambda row: YES if row.is_new else None, width=8),
    )


@view_config(context=PartyDocuments, name="", attr="page", permission=Permission.DocumentsView,
             request_method=("GET", "HEAD"), renderer="portal:documents/templates/library.pt")
@view_config(context=PartyDocuments, name="export.xlsx", attr="export", permission=Permission.DocumentsView,
             request_method=("GET", "HEAD"))
class Library(ListView):
    """The documents the party is shown, in a folder or all, by tag, searched in both titles and the tags:
    the page and its export. The export's rows are (Document, filename, size, folder_title, is_new)
    (``library.listed_rows``); the page's the columns it shows."""

    spec = ListSpec(
        columns=export_columns,
        sorts=library_sorts, default_sort="title", tiebreak=Document.id,
        filters={"folder": (Document.folder_id, ANY_ID),
                 "tag": (lambda request, value: library.has_tag(value), library.ANY_TAG)},
        search=(Document.title_en, Document.title_ru, Document.tags),
        title=_("Documents"), ascii_name="documents", scalars=False,
        shown=("id", "title_en", "title_ru", "tags", "valid_to", "updated_at", "filename", "size", "folder_title",
               "is_new"),
    )

    def statement(self):
        return library.listed_rows(self.context.query(), self.context.party.id, self.request.locale_name)

    def known_total(self):
        """Unfiltered, the list holds every document of every folder (and those in none): the folders'
        counts, which the page shows anyway, add up to its total without counting it again."""
        if self.q or self.filters:
            return None
        return sum(self.folder_counts.values())

    @reify
    def folder_counts(self):
        """{folder id: how many of the party's documents it holds}, read once for the folders and the total."""
        return library.folder_counts(self.request.dbsession, self.context.party.id, self.context.today)

    def extra(self, page):
        request, context = self.request, self.context
        db, party_id, language = request.dbsession, context.party.id, request.locale_name
        folder_id = self.filters.get("folder")
        return {
            "folders": library.party_folders(db, self.folder_counts, language),
            "folder_id": int(folder_id) if folder_id else None,
            "tags": library.party_tags(db, party_id, context.today),
            "tag": self.filters.get("tag"),
            "title_of": lambda obj: library.title_in(obj, language),
            "tag_list": library.tag_list,
            "filtered": bool(self.q or self.filters),
        }


def opened(context, request) -> bool:
    """Record that a user of the party opened the document (a GET); True when it was new until now."""
    party_id = context.party.id
    if request.method != "GET" or not is_party_user(request, party_id):
        return False
    return library.mark_opened(request.dbsession, context.document.id, party_id, request.authenticated_userid)


@view_config(context=PartyDocument, name="", permission=Permission.DocumentsView, request_method=("GET", "HEAD"),
             renderer="portal:documents/templates/document.pt")
def document_page(context, request):
    db, document, language = request.dbsession, context.document, request.locale_name
    was_new = library.is_new(db, document.id, context.party.id)
    opened(context, request)
    folder = library.folder_of(db, document)
    return {
        "document": document,
        "title": library.title_in(document, language),
        "folder": folder,
        "folder_title": library.title_in(folder, language) if folder else None,
        "tags": library.tag_list(document),
        "version": library.current_version(db, document),
        "was_new": was_new,
    }


@view_config(context=PartyDocument, name="download", permission=Permission.DocumentsView,
             request_method=("GET", "HEAD"))
def download(context, request):
    """The current version's file; downloading it is opening it."""
    version = library.current_version(request.dbsession, context.document)
    opened(context, request)
    return version_download(request, version)


def new_documents_panel(context, request):
    """The party home's "new documents": those attached to the party that none of its users opened
    yet (None, no panel, when there are none or the user may not read the library)."""
    if not request.has_permission(Permission.DocumentsView, context):
        return None
    today = company_today(request.registry)
    documents, total = library.new_documents(request.dbsession, context.party.id, today)
    if not documents:
        return None
    language = request.locale_name
    return {
        "documents": [(d, library.title_in(d, language)) for d in documents],
        "total": total,
        "library_url": request.resource_url(context, PartyDocuments.segment, ""),
    }
