"""Views, one module per domain; ``main()`` scans them."""
from pyramid.security import NO_PERMISSION_REQUIRED

from ..i18n import _
from ..security.permissions import Permission


def includeme(config):
    config.include(".listing")
    config.add_static_view(
        "static", "portal:static", cache_max_age=3600, permission=NO_PERMISSION_REQUIRED
    )
    # The core's own tiles on the party home; verticals add theirs in their includeme.
    config.add_party_tile("requests", _("Requests"), "requests", Permission.RequestsView, order=10)
    config.add_party_tile("changes", _("Change requests"), "changes", Permission.ChangesView, order=20)
    config.add_party_tile("tickets", _("Service tickets"), "tickets", Permission.TicketsView, order=30)
    config.add_party_tile("messages", _("Messages"), "messages", Permission.MessagesView, order=40)
