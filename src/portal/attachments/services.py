"""Uploads: checked by content and size, named safely, stored on disk by hash.

The extension must agree with what the bytes are; office files are opened as
zip archives and refused when they would unpack to too much (zip bombs).
"""
import codecs
import hashlib
import os
import re
import tempfile
import unicodedata
import zipfile
from dataclasses import dataclass

from pyramid.settings import aslist
from sqlalchemy import select
from zope.interface import Interface, implementer

from portal.attachments.models import Attachment
from portal.formats import format_number
from portal.i18n import _

CHUNK = 64 * 1024
MAX_UNPACKED = 200 * 1024 * 1024  # an office file that unpacks to more is refused
MAX_RATIO = 200

# extension -> content type we serve it with
TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "jpg": "image/jpeg",
    "jpeg": "image/jpeg",
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
OFFICE_PARTS = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the checks, waiting in a temporary file for its owner."""

    temp_path: str
    filename: str
    content_type: str
    size: int
    sha256: str


class UploadRefused(Exception):
    """An upload we will not keep; ``message`` tells the user why."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class UploadPolicy:
    directory: str
    max_bytes: int = 10 * 1024 * 1024
    extensions: tuple = ("pdf", "png", "jpg", "jpeg", "txt", "csv", "xlsx", "docx")

    @classmethod
    def from_settings(cls, settings):
        return cls(
            directory=settings.get("portal.uploads.dir") or os.path.join(os.getcwd(), "var", "uploads"),
            max_bytes=int(settings.get("portal.uploads.max_bytes", 10 * 1024 * 1024)),
            extensions=tuple(aslist(settings.get("portal.uploads.types", "")) or cls.extensions),
        )


def human_size(size: int, locale: str = "en") -> str:
    """A size as people read it (12 KB, 1,5 MB), in the given language's number format."""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return format_number(size / 1024, locale, "#,##0.#") + " KB"
    return format_number(size / 1024 / 1024, locale, "#,##0.#") + " MB"


def safe_filename(name: str) -> str:
    """The last path part, without control characters, at most 200 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = unicodedata.normalize("NFC", name)
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().strip(".")
    name = re.sub(r"\s+", " ", name)
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 200 - len(ext) - 1] + "." + ext) if dot and len(ext) <= 10 else name[:200]
    return name or "file"


def _sniff(path: str, extension: str) -> bool:
    """True when the file's bytes are what its extension says."""
    with open(path, "rb") as f:
        head = f.read(8)
    if extension == "pdf":
        return head.startswith(b"%PDF-")
    if extension == "png":
        return head == b"\x89PNG\r\n\x1a\n"
    if extension in ("jpg", "jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if extension in ("txt", "csv"):
        return _is_text(path)
    if extension in OFFICE_PARTS:
        return _is_office(path, OFFICE_PARTS[extension])
    return False


def _is_text(path: str) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            if b"\x00" in chunk:
                return False
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError:
                return False
    try:
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _is_office(path: str, part: str) -> bool:
    size = os.path.getsize(path)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {i.filename for i in infos}
            unpacked = sum(i.file_size for i in infos)
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if unpacked > MAX_UNPACKED or unpacked > max(size, 1) * MAX_RATIO:
        raise UploadRefused(_("The file unpacks to far more than its size; it is refused."))
    return "[Content_Types].xml" in names and part in names


class IAttachmentService(Interface):
    """Stores checked uploads and finds them again."""


@implementer(IAttachmentService)
class AttachmentService:
    """Stores checked uploads and finds them again."""

    def __init__(self, dbsession, policy: UploadPolicy):
        self.db = dbsession
        self.policy = policy

    def check(self, stream, filename) -> "CheckedUpload":
        """Read the upload into a temporary file and check name, size and content.

        Raises UploadRefused (and leaves no file behind) when it is not acceptable.
        """
        name = safe_filename(filename)
        extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
        if extension not in self.policy.extensions or extension not in TYPES:
            raise UploadRefused(_("Files of this type are not accepted. Allowed: ${types}.",
                                  mapping={"types": ", ".join(self.policy.extensions)}))
        os.makedirs(self.policy.directory, exist_ok=True)
        if hasattr(stream, "seek"):
            stream.seek(0)  # a form library may have read it already
        digest, size = hashlib.sha256(), 0
        fd, temp_path = tempfile.mkstemp(dir=self.policy.directory, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.policy.max_bytes:
                        raise UploadRefused(_("The file is larger than the limit of ${size}.",
                                              mapping={"size": human_size(self.policy.max_bytes)}))
                    digest.update(chunk)
                    out.write(chunk)
            if size == 0:
                raise UploadRefused(_("The file is empty."))
            if not _sniff(temp_path, extension):
                raise UploadRefused(_("The file's content does not match its extension “.${ext}”.",
                                      mapping={"ext": extension}))
        except BaseException:
            os.unlink(temp_path)
            raise
        return CheckedUpload(temp_path, name, TYPES[extension], size, digest.hexdigest())

    def keep(self, upload: "CheckedUpload") -> str:
        """Move a checked upload into the store under its hash (the same bytes are kept once); its path.

        The caller records it in its own transaction: a rolled-back record leaves
        the bytes unreferenced in the store, never a record without its bytes.
        """
        final = self.path_for(upload.sha256)
        os.makedirs(os.path.dirname(final), exist_ok=True)
        os.replace(upload.temp_path, final)
        return final

    def attach(self, upload: "CheckedUpload", *, party_id, owner_type, owner_id, uploaded_by_id,
               history_id=None) -> Attachment:
        """Keep a checked upload for an item: move it into place and record it (with ``history_id``,
        as sent with that transition of the item)."""
        self.keep(upload)
        attachment = Attachment(
            party_id=party_id, owner_type=owner_type, owner_id=owner_id, filename=upload.filename,
            content_type=upload.content_type, size=upload.size, sha256=upload.sha256,
            uploaded_by_id=uploaded_by_id, history_id=history_id,
        )
        self.db.add(attachment)
        self.db.flush()
        return attachment

    def discard(self, upload: "CheckedUpload") -> None:
        if os.path.exists(upload.temp_path):
            os.unlink(upload.temp_path)

    def path_for(self, sha256: str) -> str:
        if not re.fullmatch(r"[0-9a-f]{64}", sha256):
            raise ValueError("not a sha256 digest")
        return os.path.join(self.policy.directory, sha256[:2], sha256)

    def for_owner(self, owner_type, owner_id) -> list[Attachment]:
        return self.db.scalars(
            select(Attachment).where(Attachment.owner_type == owner_type, Attachment.owner_id == owner_id)
            .order_by(Attachment.id)
        ).all()


def attachment_service_factory(context, request):
    return AttachmentService(request.dbsession, request.registry["upload_policy"])


def includeme(config):
    config.registry["upload_policy"] = UploadPolicy.from_settings(config.get_settings())
    config.register_service_factory(attachment_service_factory, IAttachmentService)
