"""Documents of the library as an entity of the integration API (``/api/v1/documents``), published
through the same service as staff's uploads (services/publishing.py, audited alike) with the file
checked exactly as an upload is.

A row names its folder by title (the English one, else the Russian), the companies it is shown to by
external id and the party groups by name. Its file comes as base64 ``content`` with its
``filename``; a different file, or name, adds a version and keeps the old ones. ``DELETE`` withdraws
the document. The schema lives here, with the only code that reads it.
"""
import colander
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from portal.api.entities import RowError
from portal.api.files import checked_file, sha256, stored_file
from portal.api.nodes import choice_node, external_id_node, file_node, optional_date, optional_text, strings_node
from portal.api.references import by_external_id, referenced_party
from portal.attachments.services import AttachmentService, safe_filename
from portal.audit.services import DatabaseAuditService
from portal.documents.models import (
    Document,
    DocumentFolder,
    DocumentState,
    DocumentVersion,
    DocumentVisibility,
)
from portal.documents.schemas import MAX_TAGS_TEXT, MAX_TITLE
from portal.documents.services import library, publishing
from portal.documents.services.publishing import DocumentRefused
from portal.i18n import _
from portal.parties.models import PartyGroup

# The form's fields a refusal of the publishing service names, as this entity's fields.
REFUSED_FIELDS = {"folder_id": "folder", "title_en": "title_en", "parties": "parties", "groups": "groups"}


def _normalized_tags(tags):
    """The tags as they are kept (lowercase, single spaces), each once, in order: compared as stored."""
    if not isinstance(tags, list):
        return tags
    return sorted({library.normalize_tag(tag) for tag in tags} - {""})


def _safe_filename(name):
    return safe_filename(name) if isinstance(name, str) else name


def _document_validator(node, values):
    if values.get("valid_from") and values.get("valid_to") and values["valid_to"] < values["valid_from"]:
        raise colander.Invalid(node["valid_to"], _("The end of validity is before its start."))
    if len(library.join_tags(values.get("tags") or [])) > MAX_TAGS_TEXT:
        raise colander.Invalid(node["tags"], _("At most ${max} characters.", mapping={"max": MAX_TAGS_TEXT}))
    if ("content" in values) != ("filename" in values):
        missing = "filename" if "content" in values else "content"
        raise colander.Invalid(node[missing], _("Send the file's content and its name together."))


class DocumentApiSchema(colander.MappingSchema):
    external_id = external_id_node(title=_("External id"))
    title_en = optional_text(MAX_TITLE, title=_("Title in English"))
    title_ru = optional_text(MAX_TITLE, title=_("Title in Russian"))
    folder = optional_text(MAX_TITLE, title=_("Folder (its English title, else its Russian one)"))
    tags = colander.SchemaNode(colander.Sequence(),
                               colander.SchemaNode(colander.String(), validator=colander.Length(max=library.MAX_TAG),
                                                   name="tag"),
                               missing=colander.drop, preparer=_normalized_tags,
                               validator=colander.Length(max=library.MAX_TAGS), title=_("Tags"))
    valid_from = optional_date(title=_("Valid from"))
    valid_to = optional_date(title=_("Valid to"))
    visibility = choice_node(DocumentVisibility, missing=colander.drop, title=_("Shown to"))
    parties = strings_node(64, max_items=publishing.MAX_ENTRIES,
                           title=_("For “chosen”: the companies (external ids)"))
    groups = strings_node(100, max_items=publishing.MAX_ENTRIES, title=_("For “chosen”: the party groups (names)"))
    state = choice_node(DocumentState, missing=colander.drop, title=_("State (withdrawn for good)"))
    filename = optional_text(255, preparer=_safe_filename, title=_("File name"))
    content = file_node(title=_("The file (base64): PDF, image, text, Word or Excel"))

    def __init__(self, *args, **kw):
        super().__init__(*args, validator=_document_validator, **kw)


def find_document(db, external_id):
    return by_external_id(db, Document, external_id)


def current_version(db, document) -> DocumentVersion:
    return db.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id,
                                                    DocumentVersion.number == document.version)).one()


def folder_name(folder: DocumentFolder | None) -> str | None:
    return (folder.title_en or folder.title_ru) if folder is not None else None


def document_values(store, document: Document) -> dict:
    db = object_session(document)
    parties, groups = publishing.audience_of(db, document)
    version = current_version(db, document)
    values = {name: getattr(document, name) for name in (
        "external_id", "title_en", "title_ru", "valid_from", "valid_to", "visibility", "state")}
    values.update(
        folder=folder_name(db.get(DocumentFolder, document.folder_id) if document.folder_id else None),
        tags=library.tag_list(document), parties=sorted(p.external_id for p in parties if p.external_id),
        groups=sorted(g.name for g in groups), filename=version.filename,
        content=stored_file(store, version.sha256))
    return values


def _folder(db, name) -> DocumentFolder | None:
    if name is None:
        return None
    found = db.scalars(select(DocumentFolder).where(
        func.coalesce(DocumentFolder.title_en, DocumentFolder.title_ru) == name).order_by(DocumentFolder.id)
        .limit(2)).all()
    if not found:
        raise RowError("folder", _("No folder is named “${name}”.", mapping={"name": name}))
    if len(found) > 1:
        raise RowError("folder", _("Several folders are named “${name}”; rename one of them.", mapping={"name": name}))
    return found[0]


def _groups(db, names) -> list[PartyGroup]:
    found = {g.name: g for g in db.scalars(select(PartyGroup).where(PartyGroup.name.in_(names)))} if names else {}
    for name in names:
        if name not in found:
            raise RowError("groups", _("No party group is named “${name}”.", mapping={"name": name}))
    return [found[name] for name in names]


def _publish(db, audit, store, document, values, details, parties, groups) -> Document:
    if document is None:
        if values.get("content") is None:
            raise RowError("content", _("A new document needs its file: content and filename."))
        upload = checked_file(store, values["content"], values["filename"], "content")
        try:
            return publishing.publish_document(db, audit, store, upload, details, parties=parties, groups=groups)
        except BaseException:
            store.discard(upload)
            raise
    publishing.update_document(db, audit, document, details, parties=parties, groups=groups)
    if "content" in values:
        if values["content"] is None:
            raise RowError("content", _("A document cannot be left without its file."))
        version = current_version(db, document)
        if (sha256(values["content"]), values["filename"]) != (version.sha256, version.filename):
            upload = checked_file(store, values["content"], values["filename"], "content")
            try:
                publishing.replace_version(db, audit, store, document, upload)
            except BaseException:
                store.discard(upload)
                raise
    return document


def apply_document(store, db, document, values):
    if document is not None and document.state == DocumentState.withdrawn.value:
        raise RowError("state", _("The document has been withdrawn; it can no longer be changed."))
    row = dict(document_values(store, document) if document is not None else {}, **values)
    visibility = row.get("visibility") or DocumentVisibility.all.value
    parties = [referenced_party(db, ref, "parties") for ref in row.get("parties") or []]
    groups = _groups(db, row.get("groups") or [])
    if visibility != DocumentVisibility.chosen.value and (parties or groups):
        raise RowError("parties" if parties else "groups",
                       _("Companies and party groups are named only for a document shown to chosen ones."))
    folder = _folder(db, row.get("folder"))
    details = {"title_en": row.get("title_en"), "title_ru": row.get("title_ru"),
               "folder_id": folder.id if folder is not None else None,
               "tags": library.join_tags(row.get("tags") or []), "valid_from": row.get("valid_from"),
               "valid_to": row.get("valid_to"), "visibility": visibility}
    if details["valid_from"] and details["valid_to"] and details["valid_to"] < details["valid_from"]:
        raise RowError("valid_to", _("The end of validity is before its start."))
    audit = DatabaseAuditService(db)
    try:
        document = _publish(db, audit, store, document, values, details, parties, groups)
        document.external_id = values["external_id"]
        if row.get("state") == DocumentState.withdrawn.value:
            publishing.withdraw_document(db, audit, document)
    except DocumentRefused as refused:
        raise RowError(REFUSED_FIELDS.get(refused.field, ""), refused.message) from None
    return document


def withdraw_document(db, document):
    """A document is never removed: it is withdrawn (shown to no customer, kept with its versions)."""
    if document.state != DocumentState.withdrawn.value:
        publishing.withdraw_document(db, DatabaseAuditService(db), document)


def includeme(config):
    config.include("portal.api.entities")
    registry = config.registry

    def store(db):
        return AttachmentService(db, registry["upload_policy"])

    config.add_api_entity("documents", schema=DocumentApiSchema, find=find_document,
                          current=lambda document: document_values(store(object_session(document)), document),
                          apply=lambda db, document, values: apply_document(store(db), db, document, values),
                          delete=withdraw_document, title="Document")
