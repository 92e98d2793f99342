"""Customer requests: filed by a party's users, routed by their type to a staff group, worked in the
service queue through new → assigned → in progress ⇄ waiting → resolved → closed."""
from portal.i18n import _
from portal.identity.models import Role
from portal.requests.resources import RequestsContainer
from portal.requests.workflow import REQUEST, watchers
from portal.security.permissions import Permission as P


def includeme(config):
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
    config.scan(".views")
