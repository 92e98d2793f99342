"""The document library (core): folders and documents with versions, shown to every customer, to
chosen parties and party groups, or to staff only; published by staff at ``/documents/``, read by
a party at ``/p/<id>/documents/``, the ones attached to it "new" on its home until it opens them.
The files are kept in the attachments' content-addressed store, checked as uploads are."""
from portal.documents.resources import DocumentsArea, PartyDocuments
from portal.i18n import _
from portal.security.permissions import Permission as P
from portal.security.roles import ALL_PARTIES_ROLES
from portal.views.navigation import area_link


def includeme(config):
    config.add_party_child(PartyDocuments.segment, PartyDocuments)
    config.add_party_grants(member=(P.DocumentsView,), manager=(P.DocumentsView,),
                            staff={role: (P.DocumentsView,) for role in ALL_PARTIES_ROLES})
    config.add_party_tile("documents", _("Documents"), PartyDocuments.segment, P.DocumentsView, order=60)
    config.add_party_panel("new-documents", ".views.library.new_documents_panel",
                           "portal:documents/templates/new_panel.pt", order=10)
    config.add_root_area(DocumentsArea.segment, DocumentsArea)
    config.add_nav_item("documents", area_link(_("Documents"), DocumentsArea.segment, P.DocumentsPublish,
                                               active=("/documents/",)), order=115)
    config.include(".api")
    config.scan(".views")

