"""Change requests of a party's master data: asked for by its users, decided in the back office;
nothing changes on the party until approved, and then in the same transaction."""
from portal.changes.resources import ChangesContainer
from portal.changes.workflow import CHANGE_REQUEST
from portal.i18n import _
from portal.identity.models import Role
from portal.security.permissions import Permission as P


def includeme(config):
    config.add_party_child(ChangesContainer.segment, ChangesContainer)
    config.add_party_grants(
        member=(P.ChangesView, P.ChangesCreate),
        staff={Role.backoffice: (P.ChangesView, P.ChangesDecide), Role.service: (P.ChangesView,),
               Role.head: (P.ChangesView,), Role.admin: (P.ChangesView,)},
        manager=(P.ChangesView, P.ChangesDecide),
    )
    config.add_party_tile("changes", _("Change requests"), "changes", P.ChangesView, order=20)
    config.add_work_kind(CHANGE_REQUEST, segment=ChangesContainer.segment, key="change", title=_("Change request"),
                         plural=_("Change requests"), view_permission=P.ChangesView,
                         decided_in=("backoffice", "submitted"))
    config.scan(".views")
