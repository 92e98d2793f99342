"""Finance, a vertical (``portal.modules = finance``): a party's invoices with their PDFs and ZIPs of
them, its payments, the settlement statement, and its balances on the party home.

The data comes from the accounting system (the demo fills it meanwhile); the
portal only shows it, to the party's users, its managers and the staff who see
every party. Everything is registered here through the core's directives.
"""
from portal.finance.resources import InvoicesContainer, PaymentsContainer, StatementResource
from portal.i18n import _
from portal.security.permissions import Permission as P
from portal.security.roles import ALL_PARTIES_ROLES
from portal.views.navigation import NavItem

READ = (P.InvoicesView, P.PaymentsView, P.StatementView, P.BalancesView)


def invoices_link(layout):
    """The header's "Invoices": of the party the page lies in, or of a one-party customer's party."""
    identity = layout.identity
    if identity is None:
        return None
    party = layout.current_party
    if party is not None:
        party_id = party.id
    elif not identity.is_staff and len(identity.party_ids) == 1:
        party_id = next(iter(identity.party_ids))
    else:
        return None
    try:
        resource = layout.root["p"][str(party_id)]
    except KeyError:
        return None
    if not layout.request.has_permission(P.InvoicesView, resource):
        return None
    return NavItem(_("Invoices"), layout.request.resource_url(resource, InvoicesContainer.segment, ""),
                   layout.path.startswith(f"/p/{party_id}/{InvoicesContainer.segment}/"))


def includeme(config):
    config.include("portal.pdf")
    for child in (InvoicesContainer, PaymentsContainer, StatementResource):
        config.add_party_child(child.segment, child)
    config.add_party_grants(member=READ, manager=READ, staff={role: READ for role in ALL_PARTIES_ROLES})
    config.add_party_tile("invoices", _("Invoices"), InvoicesContainer.segment, P.InvoicesView, order=20)
    config.add_party_tile("payments", _("Payments"), PaymentsContainer.segment, P.PaymentsView, order=21)
    config.add_party_tile("statement", _("Settlement statement"), StatementResource.segment, P.StatementView,
                          order=22)
    config.add_party_panel("balances", "portal.finance.views.balances.balances_panel",
                           "portal:finance/templates/balances.pt", order=10)
    config.add_nav_item("invoices", invoices_link, order=20)
    config.scan(".views")
