"""Documents made through the publishing service, as staff make them (a version, its file in the store)."""
import io
from datetime import date

from portal.attachments.services import AttachmentService
from portal.audit.services import DatabaseAuditService
from portal.documents.services import library, publishing
from portal.parties.models import PartyGroup, PartyGroupMember
from tests.factories import app_registry


def pdf_bytes(text="Test document") -> bytes:
    """A small valid PDF (the demo's generator)."""
    from portal.documents.demo import simple_pdf

    return simple_pdf([text])


def store(session, registry=None) -> AttachmentService:
    """The content-addressed store the app keeps files in."""
    return AttachmentService(session, (registry or app_registry())["upload_policy"])


def document(session, *, title_en="A document", title_ru=None, folder=None, tags="", visibility="all",
             parties=(), groups=(), valid_from: date | None = None, valid_to: date | None = None,
             filename="document.pdf", content=None, user=None, registry=None):
    """A published document with one version; ``parties`` and ``groups`` for chosen visibility."""
    files = store(session, registry)
    upload = files.check(io.BytesIO(content if content is not None else pdf_bytes(title_en or title_ru)), filename)
    values = {"title_en": title_en, "title_ru": title_ru, "folder_id": folder.id if folder else None,
              "tags": library.join_tags(library.parse_tags(tags)),
              "valid_from": valid_from, "valid_to": valid_to, "visibility": visibility}
    made = publishing.publish_document(session, DatabaseAuditService(session, actor_id=user.id if user else None),
                                       files, upload, values, parties=list(parties), groups=list(groups),
                                       user_id=user.id if user else None)
    session.flush()
    return made


def folder(session, title_en="Folder", title_ru=None):
    return publishing.create_folder(session, DatabaseAuditService(session), {"title_en": title_en,
                                                                            "title_ru": title_ru})


def party_group(session, name, parties=()):
    group = PartyGroup(name=name)
    session.add(group)
    session.flush()
    session.add_all([PartyGroupMember(group_id=group.id, party_id=p.id) for p in parties])
    session.flush()
    return group
