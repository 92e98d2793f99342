"""Where documents are in the tree.

- ``/p/<id>/documents/`` and ``/p/<id>/documents/<doc>/``: the party's library. Only a document the
  party is shown today is found there; any other id (staff-only, withdrawn, expired, another
  party's) is not found, so it answers 404 like a document that does not exist.
- ``/documents/``: the staff's side (publishing), open to the roles in ``PUBLISHER_ROLES``:
  ``<doc>/`` every document, ``<doc>/versions/<n>`` each of its files, ``folders/`` and ``folders/<id>/``.
"""
from datetime import datetime

from pyramid.authorization import DENY_ALL, Allow
from sqlalchemy import select

from portal.db.ids import id_or_key_error
from portal.documents.models import Document, DocumentFolder, DocumentVersion, party_documents
from portal.identity.models import Role
from portal.security.permissions import Permission
from portal.security.principals import role_principal

PUBLISHER_ROLES = (Role.backoffice, Role.admin)


def company_today(registry):
    """Today's date where the company is (``portal.timezone``): when a validity starts and ends."""
    return datetime.now(registry["portal_tz"]).date()


# --- the party's library ---------------------------------------------------------------------
class PartyDocuments:
    """``/p/<id>/documents/``: what the party is shown; its ACL is the party's."""

    segment = "documents"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.today = company_today(parent.__parent__.registry)

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession

    def query(self):
        """Every query of the party's library starts here."""
        return party_documents(self.party.id, self.today)

    def __getitem__(self, key):
        document = self.dbsession.scalars(self.query().where(Document.id == id_or_key_error(key))).first()
        if document is None:
            raise KeyError(key)
        return PartyDocument(document, self)


class PartyDocument:
    """One document the party is shown; ``download`` is a view of it."""

    def __init__(self, document: Document, parent: PartyDocuments):
        self.document = document
        self.__name__ = str(document.id)
        self.__parent__ = parent

    @property
    def party(self):
        return self.__parent__.party

    @property
    def dbsession(self):
        return self.__parent__.dbsession


# --- the staff's side --------------------------------------------------------------------------
class DocumentsArea:
    """``/documents/``: publishing the library; only ``PUBLISHER_ROLES`` are let in."""

    segment = "documents"

    def __init__(self, parent):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession

    def __acl__(self):
        return [(Allow, role_principal(role), Permission.DocumentsPublish) for role in PUBLISHER_ROLES] + [DENY_ALL]

    def __getitem__(self, key):
        if key == FoldersContainer.segment:
            return FoldersContainer(self)
        document = self.dbsession.get(Document, id_or_key_error(key))
        if document is None:
            raise KeyError(key)
        return StaffDocument(document, self)


class StaffDocument:
    """One document as staff publish it, whatever its state; ``versions/<n>`` are its files."""

    def __init__(self, document: Document, parent: DocumentsArea):
        self.document = document
        self.__name__ = str(document.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession

    def __getitem__(self, key):
        if key != VersionsContainer.segment:
            raise KeyError(key)
        return VersionsContainer(self)


class VersionsContainer:
    """``/documents/<doc>/versions/``: looks a version up by its number."""

    segment = "versions"

    def __init__(self, parent: StaffDocument):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession

    def __getitem__(self, key):
        version = self.dbsession.scalars(select(DocumentVersion).where(
            DocumentVersion.document_id == self.__parent__.document.id,
            DocumentVersion.number == id_or_key_error(key),
        )).first()
        if version is None:
            raise KeyError(key)
        return VersionResource(version, self)


class VersionResource:
    """One file of a document, for staff to download."""

    def __init__(self, version: DocumentVersion, parent: VersionsContainer):
        self.version = version
        self.__name__ = str(version.number)
        self.__parent__ = parent


class FoldersContainer:
    """``/documents/folders/``: the folders; ``new`` is a view name."""

    segment = "folders"

    def __init__(self, parent: DocumentsArea):
        self.__parent__ = parent
        self.__name__ = self.segment
        self.dbsession = parent.dbsession

    def __getitem__(self, key):
        folder = self.dbsession.get(DocumentFolder, id_or_key_error(key))
        if folder is None:
            raise KeyError(key)
        return FolderResource(folder, self)


class FolderResource:
    """One folder, to retitle or delete."""

    def __init__(self, folder: DocumentFolder, parent: FoldersContainer):
        self.folder = folder
        self.__name__ = str(folder.id)
        self.__parent__ = parent
        self.dbsession = parent.dbsession
