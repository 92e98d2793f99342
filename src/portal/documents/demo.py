"""The demo library: folders (contracts and templates, tariffs, forms), documents for every customer,
one for a party group, one attached to Sever Energo (new on its home), one for staff only.

The files are small real PDFs written here (``simple_pdf``), uploaded through the same checks and
services as the staff's form. Every record is found by its English title before it is made, so a
second run adds nothing.
"""
import io
from datetime import date

from sqlalchemy import select

from portal.attachments.services import AttachmentService, UploadPolicy
from portal.audit.services import DatabaseAuditService
from portal.documents.models import Document, DocumentFolder, DocumentNotice
from portal.documents.services import library, publishing
from portal.identity.models import User
from portal.parties.models import Party, PartyGroup, PartyGroupMember

FOLDERS = {
    "contracts": ("Contracts & templates", "Договоры и шаблоны"),
    "tariffs": ("Tariffs", "Тарифы"),
    "forms": ("Forms", "Бланки и формы"),
}
WATER_GROUP = ("Water utilities / Водоканалы", ["DEMO-YUG"])

# folder, English title, Russian title, tags, file name, visibility, for parties, for the group, attach to
DOCUMENTS = [
    ("contracts", "Standard supply contract (template)", "Типовой договор поставки (шаблон)", "contract, template",
     "Типовой договор поставки.pdf", "all", [], False, None),
    ("tariffs", "Tariffs from 1 January", "Тарифы с 1 января", "tariff, prices", "tariffs.pdf", "all", [], False, None),
    ("forms", "Application for a new connection", "Заявление на новое подключение", "form, connection",
     "connection-application.pdf", "all", [], False, None),
    ("forms", "Meter reading sheet", "Бланк показаний счётчиков", "form, meters", "meter-readings.pdf", "all", [],
     False, None),
    ("contracts", "Supplementary agreement No. 3 to contract E-2024/117",
     "Дополнительное соглашение № 3 к договору E-2024/117", "contract, agreement",
     "Дополнительное соглашение 3.pdf", "chosen", ["DEMO-SEVER-ENERGO"], False, "DEMO-SEVER-ENERGO"),
    ("tariffs", "Water quality report", "Отчёт о качестве воды", "water, report", "water-quality.pdf", "chosen", [],
     True, None),
    ("tariffs", "Internal pricing guideline (staff only)", "Внутренние правила ценообразования (для сотрудников)",
     "internal, prices", "pricing-guideline.pdf", "staff", [], False, None),
]


def _pdf_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def simple_pdf(lines) -> bytes:
    """A valid one-page PDF (A4, Helvetica) showing ``lines`` of ASCII text: its cross-reference
    table gives every object's true offset, so any reader opens it."""
    text = "".join(f"({_pdf_text(line.encode('ascii', 'replace').decode())}) Tj 0 -18 Td " for line in lines)
    stream = f"BT /F1 14 Tf 72 770 Td {text}ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 4 0 R >> >> "
        b"/Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _folders(db, audit) -> dict:
    folders = {}
    for key, (title_en, title_ru) in FOLDERS.items():
        folder = db.scalars(select(DocumentFolder).where(DocumentFolder.title_en == title_en)).first()
        if folder is None:
            folder = publishing.create_folder(db, audit, {"title_en": title_en, "title_ru": title_ru})
        folders[key] = folder
    return folders


def _water_group(db, parties) -> PartyGroup:
    name, members = WATER_GROUP
    group = db.scalars(select(PartyGroup).where(PartyGroup.name == name)).first()
    if group is None:
        group = PartyGroup(name=name)
        db.add(group)
        db.flush()
        db.add_all([PartyGroupMember(group_id=group.id, party_id=parties[ext].id) for ext in members])
        db.flush()
    return group


def load_demo_documents(db, settings=None) -> None:
    """The demo library, published by the demo back-office clerk; files into the store ``settings`` name."""
    publisher = db.scalars(select(User).where(User.login == "backoffice")).first()
    user_id = publisher.id if publisher else None
    audit = DatabaseAuditService(db, actor_id=user_id)
    store = AttachmentService(db, UploadPolicy.from_settings(settings or {}))
    parties = {p.external_id: p for p in db.scalars(select(Party).where(Party.external_id.is_not(None)))}
    folders = _folders(db, audit)
    group = _water_group(db, parties)
    this_year = date.today().year
    for folder, title_en, title_ru, tags, filename, visibility, for_parties, for_group, attach in DOCUMENTS:
        if db.scalars(select(Document).where(Document.title_en == title_en)).first() is not None:
            continue
        content = simple_pdf([title_en, "", "Demo document of the customer portal."])
        upload = store.check(io.BytesIO(content), filename)
        values = {"title_en": title_en, "title_ru": title_ru, "folder_id": folders[folder].id,
                  "tags": library.join_tags(library.parse_tags(tags)), "visibility": visibility,
                  "valid_from": date(this_year, 1, 1) if folder == "tariffs" else None, "valid_to": None}
        document = publishing.publish_document(
            db, audit, store, upload, values, parties=[parties[e] for e in for_parties if e in parties],
            groups=[group] if for_group else [], user_id=user_id)
        if attach in parties and db.get(DocumentNotice, (document.id, parties[attach].id)) is None:
            publishing.attach_to_party(db, audit, document, parties[attach], user_id=user_id)
    db.flush()
