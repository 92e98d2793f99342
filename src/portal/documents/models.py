"""The document library: folders, documents with their versions, whom each is shown to, and the
documents attached to a party as "new" until one of its users opens them.

The bytes of every version live in the content-addressed store the attachments use (by their
SHA-256); a version row says which bytes, under what name and type.
"""
import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    and_,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.meta import Base, UTCDateTime, check_in, utcnow
from portal.parties.models import party_group_ids


class DocumentVisibility(enum.StrEnum):
    """Whom a document is shown to: every customer, the chosen parties and party groups, or staff only."""

    all = "all"
    chosen = "chosen"
    staff = "staff"


class DocumentState(enum.StrEnum):
    """A withdrawn document is shown to no customer and kept, with its versions, for the record."""

    published = "published"
    withdrawn = "withdrawn"


class DocumentFolder(Base):
    """A folder of the library, titled in each language (one of them may be left empty)."""

    __tablename__ = "document_folders"
    __table_args__ = (CheckConstraint("title_en IS NOT NULL OR title_ru IS NOT NULL", name="titled"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_ru: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Document(Base):
    """A published document: its titles, folder, tags, validity and visibility; ``version`` is the
    number of its current version (the one customers download)."""

    __tablename__ = "documents"
    __table_args__ = (
        CheckConstraint(check_in("visibility", DocumentVisibility), name="visibility"),
        CheckConstraint(check_in("state", DocumentState), name="state"),
        CheckConstraint("title_en IS NOT NULL OR title_ru IS NOT NULL", name="titled"),
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="validity"),
        Index("ix_documents_state_visibility", "state", "visibility"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    folder_id: Mapped[int | None] = mapped_column(ForeignKey("document_folders.id", ondelete="RESTRICT"), index=True)
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_ru: Mapped[str | None] = mapped_column(String(200))
    # Lowercase tags joined by ", " (a tag holds no comma): shown, searched and filtered on as they are.
    tags: Mapped[str] = mapped_column(String(1000), default="")
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    visibility: Mapped[str] = mapped_column(String(16), default=DocumentVisibility.all.value)
    state: Mapped[str] = mapped_column(String(16), default=DocumentState.published.value)
    version: Mapped[int] = mapped_column(Integer, default=1)
    # The id in the system that sent it through the API; None for a document staff uploaded.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the current version was uploaded: what "updated" means to a reader.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class DocumentVersion(Base):
    """One uploaded file of a document; replacing the file adds a version and keeps the old ones."""

    __tablename__ = "document_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    note: Mapped[str | None] = mapped_column(String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DocumentParty(Base):
    """A party a document of chosen visibility is shown to."""

    __tablename__ = "document_parties"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True, index=True)


class DocumentGroup(Base):
    """A party group a document of chosen visibility is shown to (every party in it)."""

    __tablename__ = "document_groups"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("party_groups.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)


class DocumentNotice(Base):
    """A document staff attached to a party: "new" on its home until a user of the party first opens
    it (who and when is kept; a member of staff opening it changes nothing)."""

    __tablename__ = "document_notices"

    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True, index=True)
    attached_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    attached_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    opened_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


# --- what a party is shown: the one rule of the library, as SQL ------------------------------------
def valid_on(today: date):
    """SQL: the document is valid on ``today`` (no bound is no limit)."""
    return and_(or_(Document.valid_from.is_(None), Document.valid_from <= today),
                or_(Document.valid_to.is_(None), Document.valid_to >= today))


def in_audience(party_id):
    """SQL: the party is one a document of chosen visibility is meant for (itself or a group it is in)."""
    return or_(
        exists().where(DocumentParty.document_id == Document.id, DocumentParty.party_id == party_id),
        exists().where(DocumentGroup.document_id == Document.id, DocumentGroup.group_id.in_(party_group_ids(party_id))),
    )


def shown_to_party(party_id, today: date):
    """SQL: the document is shown to the party ``party_id`` on ``today`` — the one rule of the library."""
    return and_(
        Document.state == DocumentState.published.value,
        valid_on(today),
        or_(Document.visibility == DocumentVisibility.all.value,
            and_(Document.visibility == DocumentVisibility.chosen.value, in_audience(party_id))),
    )


def party_documents(party_id, today: date):
    """The documents the party is shown (a select every query of its library starts from)."""
    return select(Document).where(shown_to_party(party_id, today))
