"""Downloading an attachment: only for those who may see the item it belongs to."""
from urllib.parse import quote

from pyramid.httpexceptions import HTTPNotFound
from pyramid.response import FileResponse
from pyramid.view import view_config

from portal.attachments.resources import AttachmentResource
from portal.attachments.services import IAttachmentService
from portal.security.permissions import Permission
from portal.workflows.kinds import work_kinds


@view_config(context=AttachmentResource, name="", request_method=("GET", "HEAD"), permission=Permission.PartyView)
def download_attachment(context, request):
    attachment = context.attachment
    kind = work_kinds(request.registry).get(attachment.owner_type)
    if kind is None or not request.has_permission(kind.view_permission, context):
        raise HTTPNotFound()
    path = request.find_service(IAttachmentService).path_for(attachment.sha256)
    response = FileResponse(path, request=request, content_type=attachment.content_type.split(";")[0])
    response.content_disposition = attachment_disposition(attachment.filename)
    return response


def attachment_disposition(filename: str) -> str:
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace('"', "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


