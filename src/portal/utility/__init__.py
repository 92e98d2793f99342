"""The utility vertical: a party's supply points (odběrná místa) with their contract, meters and
registers, the consumption history as a table and a chart, and self-readings (samoodečty) on the
supply points staff allow them for: checked for plausibility, accepted at once or reviewed by staff
in the queue at ``/readings/``.

Switched on by ``portal.modules = … utility``; the reading settings
(``portal.readings.tolerance``, ``portal.readings.auto_accept``) are checked at start.
"""
from portal.i18n import _
from portal.identity.models import Role
from portal.security.permissions import Permission as P
from portal.utility.policy import POLICY_KEY, ReadingPolicy
from portal.utility.resources import ReadingsContainer, ReadingsReviewArea, SupplyPointsContainer
from portal.utility.schemas import ReadingFeedSchema
from portal.utility.workflow import FEED_KIND, READING, SUBMITTED, watchers
from portal.views.navigation import area_link

SEES = (P.SupplyPointsView, P.ReadingsView)
DECIDES = SEES + (P.SupplyPointsManage, P.ReadingsDecide)


def includeme(config):
    config.registry[POLICY_KEY] = ReadingPolicy.from_settings(config.get_settings())
    config.add_party_child(SupplyPointsContainer.segment, SupplyPointsContainer)
    config.add_party_child(ReadingsContainer.segment, ReadingsContainer)
    config.add_party_grants(
        member=SEES + (P.ReadingsSubmit,),
        staff={Role.backoffice: DECIDES, Role.service: SEES, Role.head: SEES, Role.admin: SEES},
        manager=DECIDES,
    )
    config.add_party_tile("supply-points", _("Supply points"), SupplyPointsContainer.segment, P.SupplyPointsView,
                          order=40)
    config.add_party_tile("readings", _("Meter readings"), ReadingsContainer.segment, P.ReadingsView, order=45)
    config.add_work_kind(READING, segment=ReadingsContainer.segment, key="reading", title=_("Meter reading"),
                         plural=_("Meter readings"), view_permission=P.ReadingsView,
                         decided_in=(ReadingsReviewArea.segment, SUBMITTED),
                         watchers=watchers, news=_("Meter reading #${id} from ${party} awaits review"))
    config.add_root_area(ReadingsReviewArea.segment, ReadingsReviewArea)
    config.add_nav_item("readings", area_link(_("Readings"), ReadingsReviewArea.segment, P.ReadingsReview,
                                              active=("/readings/",)), order=112)
    config.include(".api")
    config.include("portal.api.feed.kinds")
    config.add_feed_kind(FEED_KIND, _("Meter readings"), schema=ReadingFeedSchema,
                         description="a customer's self-reading accepted, by staff or at once as plausible")
    config.scan(".views")
