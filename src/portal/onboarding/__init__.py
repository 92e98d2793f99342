"""Onboarding: how people get into the portal and back in — invitations, self-registration with its
back-office binding, activation in two parts, password reset, two-factor — on top of ``identity``
(users, logins) and ``parties`` (memberships). Its tokens are in ``tokens.py``."""
from portal.i18n import _
from portal.onboarding.areas import RegisterArea, RegistrationsArea
from portal.onboarding.resources import InvitationLinks, PasswordArea
from portal.security.permissions import Permission
from portal.views.navigation import NavItem


def registrations_link(layout):
    """The header's link to ``/backoffice/registrations/``, for those its ACL lets read it."""
    if not layout.identity:
        return None
    area = layout.root["backoffice"][RegistrationsArea.segment]
    if not layout.request.has_permission(Permission.RegistrationsView, area):
        return None
    return NavItem(_("Registrations"), layout.request.resource_url(area),
                   layout.path.startswith("/backoffice/registrations/"))


def includeme(config):
    config.add_root_area(PasswordArea.segment, PasswordArea)
    config.add_root_area(InvitationLinks.segment, InvitationLinks)
    config.include(".limits")
    config.add_root_area(RegisterArea.segment, RegisterArea)
    config.add_backoffice_child(RegistrationsArea.segment, RegistrationsArea)
    config.add_nav_item("registrations", registrations_link, order=112)
    config.scan(".views")
