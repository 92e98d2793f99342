"""Parties (customer companies): ``/p/`` (the directory) and ``/p/<id>/`` (a party's home), the
directives other packages hang their parts of a party with, and the licence limit of customer users."""
from portal.i18n import _
from portal.parties.licence import LIMIT_SETTING, parse_limit
from portal.parties.resources import PartyContainer
from portal.security.permissions import Permission
from portal.security.roles import ALL_PARTIES_ROLES
from portal.views.navigation import NavItem


def parties_link(layout):
    """Staff and holding users get the directory; a one-party customer its company's home."""
    identity = layout.identity
    if identity is None:
        return None
    if identity.is_staff or len(identity.party_ids) != 1:
        title = _("Parties") if identity.is_staff else _("My companies")
        return NavItem(title, layout.request.resource_url(layout.root, "p"), layout.path.rstrip("/") == "/p")
    (party_id,) = identity.party_ids
    return NavItem(_("My company"), layout.request.resource_url(layout.root, "p", str(party_id)),
                   layout.path.rstrip("/") == f"/p/{party_id}" or layout.path.startswith(f"/p/{party_id}/"))


def includeme(config):
    config.include(".directives")
    config.registry[LIMIT_SETTING] = parse_limit(config.get_settings())  # a bad value stops the start
    config.add_root_area("p", PartyContainer)
    config.add_party_grants(member=(Permission.PartyView,), manager=(Permission.PartyView,),
                            staff={role: (Permission.PartyView,) for role in ALL_PARTIES_ROLES})
    config.add_nav_item("parties", parties_link, order=0)
    config.include(".api")
    config.scan(".views")
