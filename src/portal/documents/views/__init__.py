"""The documents' pages: the party's library (library.py), publishing it (publish.py), folders
(folders.py), and the one way a version's file is sent (``version_download``)."""
from pyramid.response import FileResponse

from portal.attachments.services import IAttachmentService
from portal.views.downloads import content_disposition


def ascii_filename(version, document_id) -> str:
    """The file's name for clients that cannot read RFC 5987: its own when it is plain ASCII, else
    ``document-<id>-v<n>.<ext>`` (a name of only underscores tells nobody anything)."""
    name = version.filename
    if name.isascii() and any(c.isalnum() for c in name.rsplit(".", 1)[0]):
        return name
    extension = name.rsplit(".", 1)[-1] if "." in name else ""
    extension = extension if extension.isascii() and extension.isalnum() else "bin"
    return f"document-{document_id}-v{version.number}.{extension}"


def version_download(request, version):
    """The version's bytes from the store, with the type it was checked to be and always as an
    attachment (never shown inline: a file cannot run as a page of the portal)."""
    path = request.find_service(IAttachmentService).path_for(version.sha256)
    response = FileResponse(path, request=request, content_type=version.content_type)
    response.headers["Content-Disposition"] = content_disposition(
        version.filename, ascii_filename(version, version.document_id))
    return response
