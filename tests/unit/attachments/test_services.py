"""Uploads: checked by content and size, safely named, never written outside the storage."""
import io
import os
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.attachments.services import MAX_UNPACKED, AttachmentService, UploadPolicy, UploadRefused, safe_filename


@pytest.fixture
def service(tmp_path):
    return AttachmentService(None, UploadPolicy(directory=str(tmp_path / "store"), max_bytes=64 * 1024))


def office_file(part="word/document.xml", payload=b"<w/>", **extra):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, payload)
        for name, data in extra.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def leftovers(service):
    directory = service.policy.directory
    return [n for n in os.listdir(directory)] if os.path.isdir(directory) else []


@pytest.mark.parametrize("name,content", [
    ("report.pdf", b"%PDF-1.7\n%%EOF"),
    ("photo.PNG", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20),
    ("photo.jpeg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
    ("notes.txt", "Привет, мир".encode()),
    ("letter.docx", office_file()),
    ("sheet.xlsx", office_file("xl/workbook.xml")),
])
def test_genuine_files_pass(service, name, content):
    checked = service.check(io.BytesIO(content), name)
    assert checked.size == len(content) and os.path.exists(checked.temp_path)
    service.discard(checked)
    assert leftovers(service) == []


@pytest.mark.parametrize("name,content,message", [
    ("invoice.pdf", b"MZ\x90\x00 an executable", "does not match"),
    ("photo.png", b"%PDF-1.4", "does not match"),
    ("letter.docx", office_file("xl/workbook.xml"), "does not match"),
    ("letter.docx", b"PK\x03\x04 not really a zip", "does not match"),
    ("notes.txt", b"\xff\xfe\x00binary", "does not match"),
    ("tool.exe", b"MZ", "not accepted"),
    ("noextension", b"%PDF-1.4", "not accepted"),
    ("empty.pdf", b"", "empty"),
    ("huge.pdf", b"%PDF-" + b"0" * 70 * 1024, "larger than the limit of 64 KB"),
])
def test_lying_forbidden_empty_or_oversized_files_are_refused_without_a_trace(service, name, content, message):
    with pytest.raises(UploadRefused) as refused:
        service.check(io.BytesIO(content), name)
    assert message in refused.value.message.interpolate()
    assert leftovers(service) == []


def test_a_zip_bomb_is_refused(tmp_path):
    service = AttachmentService(None, UploadPolicy(directory=str(tmp_path / "store"),
                                                   max_bytes=10 * 1024 * 1024))
    bomb = office_file(payload=b"0" * (MAX_UNPACKED // 4), **{"word/a.xml": b"0" * (MAX_UNPACKED // 4),
                                                               "word/b.xml": b"0" * (MAX_UNPACKED // 4),
                                                               "word/c.xml": b"0" * (MAX_UNPACKED // 4 + 10)})
    assert len(bomb) < 2 * 1024 * 1024  # small on the wire, huge unpacked
    with pytest.raises(UploadRefused) as refused:
        service.check(io.BytesIO(bomb), "bomb.docx")
    assert "unpacks" in refused.value.message.interpolate()
    assert leftovers(service) == []


@pytest.mark.parametrize("raw,expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\me\\scan.pdf", "scan.pdf"),
    ("/abs/path/file.txt", "file.txt"),
    ("evil\x00name\r\n.pdf", "evilname.pdf"),
    ("..", "file"),
    ("", "file"),
    ("   spaced   out  .txt", "spaced out .txt"),
])
def test_file_names_lose_path_parts_and_control_characters(raw, expected):
    assert safe_filename(raw) == expected


@given(st.text(max_size=400))
def test_safe_names_never_leave_the_directory(raw):
    name = safe_filename(raw)
    assert name and "/" not in name and "\\" not in name and name not in (".", "..")
    assert not any(ord(c) < 32 for c in name) and len(name) <= 200


def test_stored_files_live_under_the_storage_by_hash(service):
    checked = service.check(io.BytesIO(b"%PDF-1.4 x"), "../../x.pdf")
    path = service.path_for(checked.sha256)
    assert os.path.realpath(path).startswith(os.path.realpath(service.policy.directory) + os.sep)
    with pytest.raises(ValueError):
        service.path_for("../../etc/passwd")
    service.discard(checked)
