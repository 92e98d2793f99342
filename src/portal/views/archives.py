"""Several generated files as one ZIP download, made while it streams.

Each member is made (a PDF rendered, say) only when the download reaches it,
written into the archive and sent on at once, so the worker holds one member
at a time however many there are: memory stays flat. The response starts
before the archive is complete, so it has no Content-Length; the archive's
directory comes last, as ZIP wants it.

Members are made after the view has returned, when the request's transaction
is over: ``make()`` must not need the database (read everything first). The
request's thread-locals are put back while each is made, so templates still
translate into the request's language.
"""
import io
import zipfile
from datetime import datetime

from pyramid.response import Response
from pyramid.threadlocal import manager

from portal.views.downloads import content_disposition

ZIP_TYPE = "application/zip"


class _Pipe(io.RawIOBase):
    """A write-only stream zipfile writes into; what was written is taken out after each member."""

    def __init__(self):
        super().__init__()
        self._chunks, self._position = [], 0

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:
        self._chunks.append(bytes(data))
        self._position += len(data)
        return len(data)

    def tell(self) -> int:
        return self._position

    def take(self) -> bytes:
        data = b"".join(self._chunks)
        self._chunks.clear()
        return data


def unique_names(names):
    """``names`` with repeats told apart: "a.pdf", "a (2).pdf" (an archive keeps one file per name)."""
    seen = set()
    for name in names:
        stem, dot, extension = name.rpartition(".")
        if not dot:
            stem, extension = name, ""
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{stem} ({n})" + (f".{extension}" if dot else "")
        seen.add(candidate)
        yield candidate


def zip_stream(request, members):
    """The bytes of a ZIP of ``members`` ((name, make) pairs; ``make()`` gives the bytes), as they are made."""
    members = list(members)
    pipe = _Pipe()
    stamp = datetime.now().timetuple()[:6]
    with zipfile.ZipFile(pipe, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, (_name, make) in zip(unique_names(name for name, _ in members), members):
            manager.push({"request": request, "registry": request.registry})
            try:
                data = make()
            finally:
                manager.pop()
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
            yield pipe.take()
    yield pipe.take()


def zip_response(request, members, *, filename: str, ascii_filename: str) -> Response:
    """A download of the ZIP of ``members``, streamed (see ``zip_stream``)."""
    response = Response(content_type=ZIP_TYPE, app_iter=zip_stream(request, members))
    response.headers["Content-Disposition"] = content_disposition(filename, ascii_filename)
    return response
