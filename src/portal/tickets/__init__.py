"""Service tickets: opened by a party's users with a priority whose SLA sets the due time, worked
in the service queue by priority and due time."""
from portal.i18n import _
from portal.identity.models import Role
from portal.security.permissions import Permission as P
from portal.tickets.resources import TicketsContainer
from portal.tickets.schemas import TicketFeedSchema
from portal.tickets.workflow import SERVICE_TICKET, feed_payload, watchers


def includeme(config):
    config.add_party_child(TicketsContainer.segment, TicketsContainer)
    config.add_party_grants(
        member=(P.TicketsView, P.TicketsCreate, P.TicketsConfirm),
        staff={Role.backoffice: (P.TicketsView,), Role.service: (P.TicketsView, P.TicketsHandle),
               Role.head: (P.TicketsView,), Role.admin: (P.TicketsView,)},
        manager=(P.TicketsView, P.TicketsHandle),
    )
    config.add_party_tile("tickets", _("Service tickets"), "tickets", P.TicketsView, order=30)
    config.add_work_kind(SERVICE_TICKET, segment=TicketsContainer.segment, key="ticket", title=_("Service ticket"),
                         plural=_("Service tickets"), view_permission=P.TicketsView, in_queue=True,
                         watchers=watchers, news=_("Critical service ticket #${id} “${subject}” from ${party}"))
    config.include("portal.api.feed.kinds")
    config.add_feed_kind("tickets", _("Service tickets"), schema=TicketFeedSchema, workflow=SERVICE_TICKET,
                         payload=feed_payload, description="every move of a service ticket, its opening included")
    config.scan(".views")
