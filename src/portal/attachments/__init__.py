"""Files attached to a party's work items: checked by content and size, kept by content hash,
downloaded at ``/p/<id>/attachments/<n>`` by those who may see the item they belong to."""
from portal.attachments.resources import AttachmentsContainer


def includeme(config):
    config.include(".services")
    config.add_party_child("attachments", AttachmentsContainer)
    config.scan(".views")
