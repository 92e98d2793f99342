"""Change requests of a party's master data: asked for by its users, decided in the back office;
nothing changes on the party until approved, and then in the same transaction. The party's
account info (``/p/<id>/account-info``) shows that master data and leads to the request form."""
from portal.changes.resources import AccountInfo, ChangesContainer
from portal.changes.schemas import ChangeRequestFeedSchema
from portal.changes.workflow import CHANGE_REQUEST, FEED_KIND, watchers
from portal.i18n import _
from portal.identity.models import Role
from portal.security.permissions import Permission as P


def includeme(config):
    config.add_party_child(ChangesContainer.segment, ChangesContainer)
    config.add_party_child(AccountInfo.segment, AccountInfo)
    config.add_party_grants(
        member=(P.ChangesView, P.ChangesCreate),
        staff={Role.backoffice: (P.ChangesView, P.ChangesDecide), Role.service: (P.ChangesView,),
               Role.head: (P.ChangesView,), Role.admin: (P.ChangesView,)},
        manager=(P.ChangesView, P.ChangesDecide),
    )
    config.add_party_tile("changes", _("Change requests"), "changes", P.ChangesView, order=20)
    # Whoever may see the party may read its master data; asking to change it needs changes:create.
    config.add_party_tile("account-info", _("Account info"), AccountInfo.segment, P.PartyView, order=5)
    config.add_work_kind(CHANGE_REQUEST, segment=ChangesContainer.segment, key="change", title=_("Change request"),
                         plural=_("Change requests"), view_permission=P.ChangesView,
                         decided_in=("backoffice", "submitted"),
                         watchers=watchers, news=_("Change request #${id} from ${party} awaits approval"))
    config.include("portal.api.feed.kinds")
    config.add_feed_kind(FEED_KIND, _("Change requests"), schema=ChangeRequestFeedSchema,
                         description="a change request approved, with the values applied to the party")
    config.scan(".views")
