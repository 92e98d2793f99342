"""Publishing the library (staff): folders, uploading a document, replacing its file with a new
version, changing its details, withdrawing it, attaching it to a party.

Every change is written to the audit log through the ``IAuditService`` the caller passes. What
would leave a document wrong (no title, a company that does not exist, chosen visibility with
nobody chosen, a staff-only document attached to a customer) is refused with a ``DocumentRefused``
that says why, before anything is written. A new file is recorded first and moved into the
content-addressed store last, so a refusal leaves neither a row nor a file behind.
"""
import re

from sqlalchemy import delete, func, select

from portal.db.meta import utcnow
from portal.documents.models import (
    Document,
    DocumentFolder,
    DocumentGroup,
    DocumentNotice,
    DocumentParty,
    DocumentState,
    DocumentVersion,
    DocumentVisibility,
)
from portal.i18n import _
from portal.parties.models import Party, PartyGroup

DETAIL_FIELDS = ("title_en", "title_ru", "folder_id", "tags", "valid_from", "valid_to", "visibility")
ENTRY_SPLIT = re.compile(r"[\s,;]+")
MAX_ENTRIES = 500


class DocumentRefused(Exception):
    """A change that was refused; ``message`` is translatable, ``field`` the form field it concerns."""

    def __init__(self, message, field=None):
        super().__init__(str(message))
        self.message = message
        self.field = field


# --- companies and groups named in a form ----------------------------------------------------
def find_party(session, entry: str) -> Party:
    """The one party whose accounting id, else tax id, is ``entry``; refused when none or several are."""
    party = session.scalars(select(Party).where(Party.external_id == entry)).first()
    if party is not None:
        return party
    found = session.scalars(select(Party).where(Party.tax_id == entry).limit(2)).all()
    if len(found) > 1:
        raise DocumentRefused(_("Several companies have the tax id “${entry}”; give the accounting id instead.",
                                mapping={"entry": entry}))
    if not found:
        raise DocumentRefused(_("No company has the accounting id or tax id “${entry}”.", mapping={"entry": entry}))
    return found[0]


def resolve_parties(session, text: str, field="parties") -> list[Party]:
    """The parties a text names by accounting id or tax id (separated by spaces, commas or lines)."""
    entries = list(dict.fromkeys(e for e in ENTRY_SPLIT.split(text or "") if e))
    if len(entries) > MAX_ENTRIES:
        raise DocumentRefused(_("Name at most ${max} companies; for more, make a party group.",
                                mapping={"max": MAX_ENTRIES}), field)
    parties = []
    for entry in entries:
        try:
            party = find_party(session, entry)
        except DocumentRefused as refused:
            raise DocumentRefused(refused.message, field) from None
        if party not in parties:
            parties.append(party)
    return parties


def party_entry(party: Party) -> str:
    """How a form names a party: its accounting id, else its tax id."""
    return party.external_id or party.tax_id or ""


def resolve_groups(session, group_ids) -> list[PartyGroup]:
    ids = sorted({int(g) for g in group_ids or ()})
    groups = session.scalars(select(PartyGroup).where(PartyGroup.id.in_(ids))).all() if ids else []
    if len(groups) != len(ids):
        raise DocumentRefused(_("A chosen party group no longer exists. Choose again."), "groups")
    return list(groups)


def audience_of(session, document) -> tuple[list[Party], list[PartyGroup]]:
    """The parties and the party groups a document of chosen visibility is meant for."""
    parties = session.scalars(
        select(Party).join(DocumentParty, DocumentParty.party_id == Party.id)
        .where(DocumentParty.document_id == document.id).order_by(Party.name, Party.id)
    ).all()
    groups = session.scalars(
        select(PartyGroup).join(DocumentGroup, DocumentGroup.group_id == PartyGroup.id)
        .where(DocumentGroup.document_id == document.id).order_by(PartyGroup.name)
    ).all()
    return list(parties), list(groups)


# --- documents ----------------------------------------------------------------------------
def _check_details(session, values: dict, parties, groups) -> None:
    if not (values.get("title_en") or values.get("title_ru")):
        raise DocumentRefused(_("Give the document a title in English, in Russian or both."), "title_en")
    if values.get("folder_id") is not None and session.get(DocumentFolder, values["folder_id"]) is None:
        raise DocumentRefused(_("This folder no longer exists. Choose another one."), "folder_id")
    if values["visibility"] == DocumentVisibility.chosen.value and not parties and not groups:
        raise DocumentRefused(_("Name the companies or choose the party groups the document is for."), "parties")


def _set_audience(session, document, parties, groups) -> None:
    """The document's chosen parties and groups become these (none unless its visibility is chosen)."""
    if document.visibility != DocumentVisibility.chosen.value:
        parties, groups = [], []
    session.execute(delete(DocumentParty).where(DocumentParty.document_id == document.id))
    session.execute(delete(DocumentGroup).where(DocumentGroup.document_id == document.id))
    session.add_all([DocumentParty(document_id=document.id, party_id=p.id) for p in parties])
    session.add_all([DocumentGroup(document_id=document.id, group_id=g.id) for g in groups])


def _audience_detail(document, parties, groups) -> dict:
    if document.visibility != DocumentVisibility.chosen.value:
        return {}
    return {"parties": sorted(p.id for p in parties), "groups": sorted(g.id for g in groups)}


def _jsonable(values: dict) -> dict:
    return {k: v.isoformat() if hasattr(v, "isoformat") else v for k, v in values.items()}


def publish_document(session, audit, store, upload, values: dict, *, parties=(), groups=(), user_id=None) -> Document:
    """A new document with ``upload`` (a checked file) as its first version; ``values`` holds DETAIL_FIELDS."""
    values = {name: values.get(name) for name in DETAIL_FIELDS}
    _check_details(session, values, parties, groups)
    now = utcnow()
    document = Document(**values, state=DocumentState.published.value, version=1, created_by_id=user_id,
                        created_at=now, updated_at=now)
    session.add(document)
    session.flush()
    _set_audience(session, document, parties, groups)
    version = _add_version(session, document, upload, 1, None, user_id, now)
    audit.record("document.create", f"document:{document.id}", **_jsonable(values),
                 file=version.filename, size=version.size, sha256=version.sha256,
                 **_audience_detail(document, parties, groups))
    store.keep(upload)
    return document


def update_document(session, audit, document, values: dict, *, parties=(), groups=()) -> bool:
    """Change a document's details and audience; False when nothing changed."""
    values = {name: values.get(name) for name in DETAIL_FIELDS}
    _check_details(session, values, parties, groups)
    old_parties, old_groups = audience_of(session, document)
    changes = {}
    for name, value in values.items():
        old = getattr(document, name)
        if old != value:
            changes[name] = [old.isoformat() if hasattr(old, "isoformat") else old,
                             value.isoformat() if hasattr(value, "isoformat") else value]
            setattr(document, name, value)
    chosen = document.visibility == DocumentVisibility.chosen.value
    new_party_ids = sorted(p.id for p in parties) if chosen else []
    new_group_ids = sorted(g.id for g in groups) if chosen else []
    if sorted(p.id for p in old_parties) != new_party_ids:
        changes["parties"] = [sorted(p.id for p in old_parties), new_party_ids]
    if sorted(g.id for g in old_groups) != new_group_ids:
        changes["groups"] = [sorted(g.id for g in old_groups), new_group_ids]
    if not changes:
        return False
    session.flush()
    _set_audience(session, document, parties, groups)
    session.flush()
    audit.record("document.update", f"document:{document.id}", changes=changes)
    return True


def _add_version(session, document, upload, number, note, user_id, now) -> DocumentVersion:
    version = DocumentVersion(document_id=document.id, number=number, filename=upload.filename,
                              content_type=upload.content_type, size=upload.size, sha256=upload.sha256,
                              note=note or None, uploaded_by_id=user_id, created_at=now)
    session.add(version)
    session.flush()
    return version


def _refuse_withdrawn(document):
    if document.state == DocumentState.withdrawn.value:
        raise DocumentRefused(_("The document has been withdrawn; it can no longer be changed."))


def replace_version(session, audit, store, document, upload, *, note=None, user_id=None) -> DocumentVersion:
    """A new current version of ``document`` from ``upload``; the earlier versions are kept."""
    _refuse_withdrawn(document)
    now = utcnow()
    number = (session.scalar(select(func.max(DocumentVersion.number))
                             .where(DocumentVersion.document_id == document.id)) or 0) + 1
    version = _add_version(session, document, upload, number, note, user_id, now)
    previous, document.version, document.updated_at = document.version, number, now
    session.flush()
    audit.record("document.replace", f"document:{document.id}", version=number, previous=previous,
                 file=version.filename, size=version.size, sha256=version.sha256, note=note or None)
    store.keep(upload)
    return version


def withdraw_document(session, audit, document, *, reason=None, user_id=None) -> None:
    """No customer is shown ``document`` any more; it stays, with its versions, for the record."""
    _refuse_withdrawn(document)
    document.state = DocumentState.withdrawn.value
    document.withdrawn_at, document.withdrawn_by_id = utcnow(), user_id
    session.flush()
    audit.record("document.withdraw", f"document:{document.id}", reason=reason or None)


def attach_to_party(session, audit, document, party: Party, *, user_id=None) -> DocumentNotice:
    """Attach ``document`` to ``party``: shown to it (added to a chosen audience) and "new" on its home
    until one of its users opens it; attached again, it is new again."""
    _refuse_withdrawn(document)
    if document.visibility == DocumentVisibility.staff.value:
        raise DocumentRefused(_("A staff-only document cannot be attached to a customer. "
                                "Change its visibility first."), "party")
    if document.visibility == DocumentVisibility.chosen.value and session.get(
            DocumentParty, (document.id, party.id)) is None:
        session.add(DocumentParty(document_id=document.id, party_id=party.id))
    notice = session.get(DocumentNotice, (document.id, party.id))
    now = utcnow()
    if notice is None:
        notice = DocumentNotice(document_id=document.id, party_id=party.id, attached_at=now, attached_by_id=user_id)
        session.add(notice)
    else:
        notice.attached_at, notice.attached_by_id = now, user_id
        notice.opened_at = notice.opened_by_id = None
    session.flush()
    audit.record("document.attach", f"document:{document.id}", party_id=party.id)
    return notice


def versions_of(session, document) -> list[DocumentVersion]:
    """Every version of ``document``, the newest first."""
    return session.scalars(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id)
        .order_by(DocumentVersion.number.desc())
    ).all()


def notices_of(session, document) -> list[tuple[DocumentNotice, Party]]:
    """The parties ``document`` is attached to, with whether and when each opened it."""
    return session.execute(
        select(DocumentNotice, Party).join(Party, Party.id == DocumentNotice.party_id)
        .where(DocumentNotice.document_id == document.id).order_by(Party.name, Party.id)
    ).all()


# --- folders ------------------------------------------------------------------------------
def _check_folder(values):
    if not (values.get("title_en") or values.get("title_ru")):
        raise DocumentRefused(_("Give the folder a title in English, in Russian or both."), "title_en")


def create_folder(session, audit, values: dict) -> DocumentFolder:
    _check_folder(values)
    folder = DocumentFolder(title_en=values.get("title_en"), title_ru=values.get("title_ru"))
    session.add(folder)
    session.flush()
    audit.record("document_folder.create", f"document_folder:{folder.id}",
                 title_en=folder.title_en, title_ru=folder.title_ru)
    return folder


def rename_folder(session, audit, folder, values: dict) -> bool:
    """Retitle ``folder``; False when the titles are what they were."""
    _check_folder(values)
    new = (values.get("title_en"), values.get("title_ru"))
    old = (folder.title_en, folder.title_ru)
    if new == old:
        return False
    folder.title_en, folder.title_ru = new
    session.flush()
    audit.record("document_folder.rename", f"document_folder:{folder.id}", changes={"titles": [list(old), list(new)]})
    return True


def folder_document_count(session, folder) -> int:
    return session.scalar(select(func.count()).select_from(Document).where(Document.folder_id == folder.id))


def delete_folder(session, audit, folder) -> None:
    """Delete an empty folder; one holding documents (withdrawn ones too) is refused."""
    held = folder_document_count(session, folder)
    if held:
        raise DocumentRefused(_("The folder cannot be deleted: it holds ${count} documents. "
                                "Move them to another folder first.", mapping={"count": held}))
    target, titles = f"document_folder:{folder.id}", [folder.title_en, folder.title_ru]
    session.delete(folder)
    session.flush()
    audit.record("document_folder.delete", target, titles=titles)


def all_folders(session) -> list[DocumentFolder]:
    return session.scalars(select(DocumentFolder).order_by(func.coalesce(DocumentFolder.title_en,
                                                                         DocumentFolder.title_ru),
                                                           DocumentFolder.id)).all()


def all_groups(session) -> list[PartyGroup]:
    return session.scalars(select(PartyGroup).order_by(PartyGroup.name, PartyGroup.id)).all()
