"""``/p/<id>/attachments/<aid>``: a file attached to one of the party's items."""
from sqlalchemy import select

from portal.attachments.models import Attachment
from portal.db.ids import id_or_key_error


class AttachmentsContainer:
    __name__ = "attachments"

    def __init__(self, parent):
        self.__parent__ = parent

    @property
    def party(self):
        return self.__parent__.party

    def __getitem__(self, key):
        attachment = self.__parent__.dbsession.scalars(
            select(Attachment).where(Attachment.id == id_or_key_error(key), Attachment.party_id == self.party.id)
        ).first()
        if attachment is None:
            raise KeyError(key)
        return AttachmentResource(attachment, self)


class AttachmentResource:
    """Inherits the party's ACL; the view also asks for the owner's view permission."""

    def __init__(self, attachment, parent):
        self.attachment = attachment
        self.__name__ = str(attachment.id)
        self.__parent__ = parent
