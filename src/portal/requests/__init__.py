"""Customer requests: filed by a party's users, routed by their type to a staff group, worked in the
service queue through new → assigned → in progress ⇄ waiting → resolved → closed."""
from portal.i18n import _
from portal.identity.models import Role
from portal.requests.dedicated import add_dedicated_request_type
from portal.requests.resources import RequestsContainer
from portal.requests.schemas import RequestFeedSchema
from portal.requests.workflow import REQUEST, feed_payload, watchers
from portal.security.permissions import Permission as P


def includeme(config):
    config.add_directive("add_dedicated_request_type", add_dedicated_request_type)
    config.add_party_child(RequestsContainer.segment, RequestsContainer)
    config.add_party_grants(
        member=(P.RequestsView, P.RequestsCreate, P.RequestsConfirm),
        staff={Role.backoffice: (P.RequestsView, P.RequestsHandle), Role.service: (P.RequestsView, P.RequestsHandle),
               Role.head: (P.RequestsView,), Role.admin: (P.RequestsView,)},
        manager=(P.RequestsView, P.RequestsHandle),
    )
    config.add_party_tile("requests", _("Requests"), "requests", P.RequestsView, order=10)
    config.add_work_kind(REQUEST, segment=RequestsContainer.segment, key="request", title=_("Request"),
                         plural=_("Requests"), view_permission=P.RequestsView, in_queue=True,
                         watchers=watchers, news=_("New request #${id} “${subject}” from ${party}"))
    config.include("portal.api.feed.kinds")
    config.add_feed_kind("requests", _("Requests"), schema=RequestFeedSchema, workflow=REQUEST, payload=feed_payload,
                         description="every move of a request, its filing included")
    config.scan(".views")
