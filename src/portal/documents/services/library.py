"""The library as a party sees it: which documents it is shown, which of them are new to it, and the
first opening by one of its users that makes a document no longer new.

What a party is shown is said once, as SQL (``models.shown_to_party``): published, valid today (the
company's date), and meant for every customer, or for the party itself or a party group it is in.
Staff-only and withdrawn documents are never in it, so no list, count, tag or folder a customer
sees can betray them. Publishing is in publishing.py.
"""
from collections import Counter
from datetime import date

from sqlalchemy import and_, exists, func, literal, select, update

from portal.db.meta import utcnow
from portal.documents.models import (  # noqa: F401  (the rule's parts, used from here by the views)
    Document,
    DocumentFolder,
    DocumentNotice,
    DocumentVersion,
    party_documents,
    shown_to_party,
    valid_on,
)

MAX_TAG = 50
MAX_TAGS = 20
TAG_SEPARATOR = ", "
# The tags offered to filter by are read from this many of the party's documents at most.
TAG_SAMPLE = 1000


# --- titles and tags --------------------------------------------------------------------------
def title_in(obj, language: str) -> str:
    """A document's or folder's title in ``language``, else in the other language."""
    own = obj.title_ru if language == "ru" else obj.title_en
    return own or obj.title_en or obj.title_ru or ""


def title_column(model, language: str):
    """SQL: the title ``title_in`` gives, to sort by."""
    if language == "ru":
        return func.coalesce(model.title_ru, model.title_en)
    return func.coalesce(model.title_en, model.title_ru)


def normalize_tag(text: str) -> str:
    """A tag as it is kept: lowercase, single spaces, no commas."""
    return " ".join((text or "").replace(",", " ").split()).lower()


def parse_tags(text: str) -> list[str]:
    """The tags of a comma-separated text, each once, in the order given."""
    tags = []
    for part in (text or "").replace(";", ",").split(","):
        tag = normalize_tag(part)
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def join_tags(tags) -> str:
    return TAG_SEPARATOR.join(tags)


def tag_list(document) -> list[str]:
    return [t for t in (document.tags or "").split(TAG_SEPARATOR) if t]


class AnyTag:
    """The allowed values of the ``?tag=`` filter: any tag as it is kept (no table is read to check)."""

    def __contains__(self, value) -> bool:
        return isinstance(value, str) and 0 < len(value) <= MAX_TAG and normalize_tag(value) == value


ANY_TAG = AnyTag()


def has_tag(tag: str):
    """SQL: the document carries ``tag`` (exactly, not a tag it is part of)."""
    sep = literal(TAG_SEPARATOR)
    literal_tag = tag.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    pattern = "%" + TAG_SEPARATOR + literal_tag + TAG_SEPARATOR + "%"
    return (sep + Document.tags + sep).like(pattern, escape="\\")


# --- what a party is shown (the rule is in models.py, next to the tables it reads) ----------------
def is_new_for(party_id):
    """SQL: the document is attached to the party and none of its users has opened it yet."""
    return exists().where(DocumentNotice.document_id == Document.id, DocumentNotice.party_id == party_id,
                          DocumentNotice.opened_at.is_(None))


def current_version_join():
    """The ON clause joining a document to its current version."""
    return and_(DocumentVersion.document_id == Document.id, DocumentVersion.number == Document.version)


def listed_rows(statement, party_id, language: str):
    """``statement``'s documents as rows of (Document, ``filename`` and ``size`` of its current version,
    ``folder_title`` in ``language`` or None, ``is_new``).

    The version and the folder are scalar subqueries, which the database reads for the rows it returns
    only, after the sort and the limit: joined, every document the party is shown was joined to its
    version and folder, then sorted, to show fifty of them (three quarters of the page's SQL time).
    """
    version = select(DocumentVersion).where(current_version_join())
    return statement.add_columns(
        version.with_only_columns(DocumentVersion.filename).scalar_subquery().label("filename"),
        version.with_only_columns(DocumentVersion.size).scalar_subquery().label("size"),
        select(title_column(DocumentFolder, language)).where(DocumentFolder.id == Document.folder_id)
        .scalar_subquery().label("folder_title"),
        is_new_for(party_id).label("is_new"),
    )


def folder_counts(session, party_id, today: date) -> dict:
    """{folder id (None: no folder): how many of the party's documents it holds}."""
    rows = session.execute(
        select(Document.folder_id, func.count()).where(shown_to_party(party_id, today)).group_by(Document.folder_id)
    ).all()
    return dict(rows)


def party_folders(session, counts: dict, language: str) -> list[tuple]:
    """The folders of ``folder_counts``' ``counts`` (those holding any of the party's documents), by
    title, each with its count."""
    ids = [i for i in counts if i is not None]
    folders = session.scalars(select(DocumentFolder).where(DocumentFolder.id.in_(ids))).all() if ids else []
    folders = sorted(folders, key=lambda f: (title_in(f, language).lower(), f.id))
    return [(f, counts[f.id]) for f in folders]


def most_used_tags(texts, limit: int) -> list[str]:
    """The ``limit`` tags most used in ``texts`` (documents' kept tags), by name; of tags used alike,
    those met first.

    The texts are split and counted as one text: a thousand documents' tags split and counted one
    document at a time cost a tenth of the document list's page."""
    counter = Counter(TAG_SEPARATOR.join(texts).split(TAG_SEPARATOR))
    counter.pop("", None)
    return sorted(tag for tag, _n in counter.most_common(limit))


def party_tags(session, party_id, today: date, limit=30) -> list[str]:
    """The tags most used among the party's documents (read from at most TAG_SAMPLE of them), read
    through the session's connection: a thousand texts need no ORM rows (the page has nothing to flush)."""
    return most_used_tags(session.connection().scalars(
        select(Document.tags).where(shown_to_party(party_id, today), Document.tags != "")
        .order_by(Document.updated_at.desc()).limit(TAG_SAMPLE)
    ).all(), limit)


def new_documents(session, party_id, today: date, limit=10) -> tuple[list, int]:
    """The party's documents new to it, newest attached first (up to ``limit``), and how many there are."""
    condition = and_(shown_to_party(party_id, today), DocumentNotice.opened_at.is_(None))
    base = select(Document).join(DocumentNotice, and_(DocumentNotice.document_id == Document.id,
                                                      DocumentNotice.party_id == party_id))
    documents = session.scalars(
        base.where(condition).order_by(DocumentNotice.attached_at.desc(), Document.id.desc()).limit(limit)
    ).all()
    total = session.scalar(select(func.count()).select_from(base.where(condition).subquery()))
    return documents, total


def is_new(session, document_id: int, party_id: int) -> bool:
    return session.scalar(
        select(DocumentNotice.document_id).where(DocumentNotice.document_id == document_id,
                                                 DocumentNotice.party_id == party_id,
                                                 DocumentNotice.opened_at.is_(None))
    ) is not None


def mark_opened(session, document_id: int, party_id: int, user_id: int) -> bool:
    """The first opening of an attached document by a user of the party: no longer new; who and when
    are kept. One UPDATE, so of two users opening it at once the first is recorded. True if it was new."""
    result = session.execute(
        update(DocumentNotice)
        .where(DocumentNotice.document_id == document_id, DocumentNotice.party_id == party_id,
               DocumentNotice.opened_at.is_(None))
        .values(opened_at=utcnow(), opened_by_id=user_id)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount > 0


def current_version(session, document) -> DocumentVersion:
    return session.scalars(
        select(DocumentVersion).where(DocumentVersion.document_id == document.id,
                                      DocumentVersion.number == document.version)
    ).one()


def folder_of(session, document):
    return None if document.folder_id is None else session.get(DocumentFolder, document.folder_id)
