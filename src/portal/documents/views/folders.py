"""The library's folders (``/documents/folders/``): the list with how many documents each holds,
creating one, retitling and deleting an empty one. Staff only (``Permission.DocumentsPublish``)."""
import colander
from pyramid.view import view_config
from sqlalchemy import func, select

from portal.audit.interfaces import IAuditService
from portal.documents.models import Document
from portal.documents.resources import FolderResource, FoldersContainer
from portal.documents.schemas import FolderSchema
from portal.documents.services import library, publishing
from portal.documents.services.publishing import DocumentRefused
from portal.i18n import _
from portal.security.permissions import Permission
from portal.views.forms import FormView

from .publish import done


def folder_values(appstruct) -> dict:
    return {"title_en": appstruct["title_en"], "title_ru": appstruct["title_ru"]}


FOLDERS = dict(context=FoldersContainer, name="", permission=Permission.DocumentsPublish,
               renderer="portal:documents/templates/folders.pt")


@view_config(attr="get", request_method=("GET", "HEAD"), **FOLDERS)
@view_config(name="new", attr="post", request_method="POST", context=FoldersContainer,
             permission=Permission.DocumentsPublish, renderer="portal:documents/templates/folders.pt")
class FoldersView(FormView):
    """Every folder, by title, with its documents counted; the form for a new one below."""

    schema_class = FolderSchema
    buttons = (("submit", _("Create the folder")),)
    formid = "new-folder"

    def action(self):
        return self.request.resource_url(self.context, "new")

    def page(self, form_html):
        db, language = self.request.dbsession, self.request.locale_name
        counts = dict(db.execute(select(Document.folder_id, func.count()).where(Document.folder_id.is_not(None))
                                 .group_by(Document.folder_id)).all())
        folders = sorted(publishing.all_folders(db), key=lambda f: library.title_in(f, language).lower())
        return {
            "folders": [(f, counts.get(f.id, 0)) for f in folders],
            "form": form_html,
            "documents_url": self.request.resource_url(self.context.__parent__),
        }

    def success(self, appstruct, upload):
        request = self.request
        try:
            folder = publishing.create_folder(request.dbsession, request.find_service(IAuditService),
                                              folder_values(appstruct))
        except DocumentRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        return done(request, _("The folder “${title}” has been created.",
                               mapping={"title": library.title_in(folder, request.locale_name)}),
                    request.resource_url(self.context))


FOLDER = dict(context=FolderResource, permission=Permission.DocumentsPublish,
              renderer="portal:documents/templates/folder.pt")


def folder_page(request, context, form_html, error=None) -> dict:
    folder = context.folder
    if error is not None:
        request.response.status = 400
    return {
        "folder": folder,
        "title": library.title_in(folder, request.locale_name),
        "held": publishing.folder_document_count(request.dbsession, folder),
        "form": form_html,
        "error": error,
        "list_url": request.resource_url(context.__parent__.__parent__, query={"folder": folder.id}),
    }


@view_config(name="", attr="get", request_method=("GET", "HEAD"), **FOLDER)
@view_config(name="", attr="post", request_method="POST", **FOLDER)
class FolderView(FormView):
    """Retitle a folder."""

    schema_class = FolderSchema
    formid = "folder"

    def action(self):
        return self.request.resource_url(self.context)

    def appstruct(self):
        folder = self.context.folder
        return {"title_en": folder.title_en or colander.null, "title_ru": folder.title_ru or colander.null}

    def page(self, form_html):
        return folder_page(self.request, self.context, form_html)

    def success(self, appstruct, upload):
        request = self.request
        try:
            renamed = publishing.rename_folder(request.dbsession, request.find_service(IAuditService),
                                               self.context.folder, folder_values(appstruct))
        except DocumentRefused as refused:
            raise self.refusal(refused.message, refused.field) from None
        url = request.resource_url(self.context)
        if not renamed:
            return done(request, _("Nothing has changed."), url, "info")
        return done(request, _("The folder has been retitled."), url)


@view_config(name="delete", request_method="POST", **FOLDER)
def delete_folder(context, request):
    """Delete the folder, when it holds no document (withdrawn ones count: they are kept)."""
    try:
        publishing.delete_folder(request.dbsession, request.find_service(IAuditService), context.folder)
    except DocumentRefused as refused:
        return folder_page(request, context, FolderView(context, request).get()["form"], refused.message)
    return done(request, _("The folder has been deleted."), request.resource_url(context.__parent__))
