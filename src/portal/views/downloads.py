"""Sending generated files as downloads: streamed in chunks, named so every browser keeps the name.

The file is complete before the response starts (an .xlsx is a zip whose
directory comes last), but it is read out in chunks, so the worker holds no
more than one chunk of it in memory whatever its size.
"""
import re
from datetime import datetime, timezone
from urllib.parse import quote

from pyramid.response import FileIter, Response

from portal.i18n import translate
from portal.views.xlsx import IXlsxExportService

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHUNK_BYTES = 64 * 1024
UNSAFE_ASCII = re.compile(r"[^A-Za-z0-9._-]+")


def content_disposition(filename: str, ascii_filename: str) -> str:
    """``attachment`` with a plain ASCII ``filename`` for old clients and the real name as RFC 5987 ``filename*``."""
    fallback = UNSAFE_ASCII.sub("_", ascii_filename).strip("._") or "download"
    return "attachment; filename=\"%s\"; filename*=UTF-8''%s" % (fallback, quote(filename, safe=""))


def file_response(fileobj, *, content_type: str, filename: str, ascii_filename: str) -> Response:
    """A response that streams ``fileobj`` from its start and closes it when done."""
    size = fileobj.seek(0, 2)
    fileobj.seek(0)
    response = Response(content_type=content_type, app_iter=FileIter(fileobj, CHUNK_BYTES))
    response.content_length = size
    response.headers["Content-Disposition"] = content_disposition(filename, ascii_filename)
    return response


def xlsx_download(request, statement, columns, *, title, ascii_name: str, scalars=True) -> Response:
    """The rows of ``statement`` as an .xlsx download named after the list and today's date.

    ``title`` (a TranslationString) names the sheet and the file in the user's
    language; ``ascii_name`` is the file's name for clients that cannot read that.
    ``scalars=False`` exports rows of several columns (a join or a union) instead of entities.
    """
    title = translate(request, title)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    fileobj = request.find_service(IXlsxExportService).export(statement, columns, sheet_name=title,
                                                              scalars=scalars)
    return file_response(
        fileobj,
        content_type=XLSX_TYPE,
        filename=f"{title} {stamp}.xlsx",
        ascii_filename=f"{ascii_name}-{stamp}.xlsx",
    )
