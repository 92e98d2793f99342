"""Finance, a vertical (``portal.modules = finance``): a party's invoices with their PDFs and ZIPs of
them, its payments, the settlement statement, its advance schedules (and their API entity), the price lists
meant for it (an API entity too), its balances on the party home, and top-up invoice requests (a
request type of their own, in the feed for the accounting system, answered by its invoice).

The data comes from the accounting system (the demo fills it meanwhile); the
portal only shows it, to the party's users, its managers and the staff who see
every party. Everything is registered here through the core's directives.
"""
from portal.finance.resources import (
    AdvancesContainer,
    InvoicesContainer,
    PaymentsContainer,
    PriceListsContainer,
    StatementResource,
)
from portal.finance.schemas import TopUpFeedSchema
from portal.finance.services.top_up import DEFAULT_TYPE as DEFAULT_TOP_UP_TYPE
from portal.finance.services.top_up import FEED_KIND as TOP_UP_FEED_KIND
from portal.finance.services.top_up import TYPE_SETTING as TOP_UP_TYPE_SETTING
from portal.i18n import _
from portal.parties.resources import find_party
from portal.security.permissions import Permission as P
from portal.security.roles import ALL_PARTIES_ROLES
from portal.views.navigation import NavItem

READ = (P.InvoicesView, P.PaymentsView, P.StatementView, P.BalancesView, P.AdvancesView)


def invoices_link(layout):
    """The header's "Invoices": of the party the page lies in, or of a one-party customer's party."""
    identity = layout.identity
    if identity is None:
        return None
    resource = find_party(layout.context)
    if resource is None:
        if identity.is_staff or len(identity.party_ids) != 1:
            return None
        # Off the party's pages (the account, messages): no statement reads the party to link it.
        resource = layout.root["p"].named(next(iter(identity.party_ids)))
    if not layout.request.has_permission(P.InvoicesView, resource):
        return None
    return NavItem(_("Invoices"), layout.request.resource_url(resource, InvoicesContainer.segment, ""),
                   layout.path.startswith(f"/p/{resource.party.id}/{InvoicesContainer.segment}/"))


def includeme(config):
    config.include("portal.pdf")
    for child in (InvoicesContainer, PaymentsContainer, StatementResource, AdvancesContainer):
        config.add_party_child(child.segment, child)
    # A party's money is for its members of the finance role (and of the role "all") only.
    config.add_party_grants(member=READ, member_role="finance", manager=READ,
                            staff={role: READ for role in ALL_PARTIES_ROLES})
    # Price lists: whoever sees the party sees the ones meant for it (current and archived).
    config.add_party_child(PriceListsContainer.segment, PriceListsContainer)
    config.add_party_grants(member=(P.PriceListsView,), manager=(P.PriceListsView,),
                            staff={role: (P.PriceListsView,) for role in ALL_PARTIES_ROLES})
    config.add_party_tile("price-lists", _("Price lists"), PriceListsContainer.segment, P.PriceListsView, order=25)
    # Only the party's own people ask for top-up invoices; staff answer them in the request queue.
    config.add_party_grants(member=(P.InvoicesTopUp,), member_role="finance")
    config.include("portal.api.feed.kinds")
    config.add_feed_kind(TOP_UP_FEED_KIND, _("Top-up invoice requests"), schema=TopUpFeedSchema,
                         description="a customer asked for an invoice of an amount; answer it with an invoice "
                                     "whose top_up_request is the event's request_id")
    config.add_dedicated_request_type(config.get_settings().get(TOP_UP_TYPE_SETTING, DEFAULT_TOP_UP_TYPE),
                                      view_permission=P.InvoicesView)
    config.add_party_tile("invoices", _("Invoices"), InvoicesContainer.segment, P.InvoicesView, order=20)
    config.add_party_tile("payments", _("Payments"), PaymentsContainer.segment, P.PaymentsView, order=21)
    config.add_party_tile("statement", _("Settlement statement"), StatementResource.segment, P.StatementView,
                          order=22)
    config.add_party_tile("advances", _("Advance schedules"), AdvancesContainer.segment, P.AdvancesView, order=23)
    config.add_party_panel("balances", "portal.finance.views.balances.balances_panel",
                           "portal:finance/templates/balances.pt", order=10)
    config.add_nav_item("invoices", invoices_link, order=20)
    config.include(".api")
    config.scan(".views")
