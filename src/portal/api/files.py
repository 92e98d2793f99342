"""Files in API rows: sent as base64 (``nodes.Base64``), checked as every upload is, kept in the
content-addressed store; compared with what is stored by their SHA-256, and read back out as
base64 only when a response is written.
"""
import base64
import hashlib
import io

from portal.api.entities import RowError
from portal.attachments.services import AttachmentService, CheckedUpload, UploadRefused


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class StoredFile:
    """A stored file as ``current`` gives it: equal to the bytes of a row that sends the same file,
    so an unchanged file reads nothing from the store; written out (``__json__``, which Pyramid's
    JSON renderer calls) as its base64, or null when the store no longer holds it."""

    def __init__(self, digest: str, path: str):
        self.digest = digest
        self.path = path

    def __eq__(self, other):
        if isinstance(other, bytes):
            return sha256(other) == self.digest
        if isinstance(other, StoredFile):
            return other.digest == self.digest
        return NotImplemented

    __hash__ = None

    def __repr__(self):
        return f"StoredFile({self.digest[:12]}…)"

    def __json__(self, request):
        try:
            with open(self.path, "rb") as f:
                return base64.b64encode(f.read()).decode("ascii")
        except FileNotFoundError:
            return None


def stored_file(store: AttachmentService, digest: str | None) -> StoredFile | None:
    return StoredFile(digest, store.path_for(digest)) if digest else None


def checked_file(store: AttachmentService, data: bytes, filename: str, field: str) -> CheckedUpload:
    """``data`` checked by content and size exactly as a form's upload is (attachments/services.py);
    the caller keeps it in the store last, or discards it."""
    try:
        return store.check(io.BytesIO(data), filename)
    except UploadRefused as refused:
        raise RowError(field, refused.message) from None
