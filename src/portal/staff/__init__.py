"""The staff areas: the service queue (``/service/``), the back office (``/backoffice/``) and the
dashboard (``/dashboard/``), over the work kinds the packages registered; staff groups."""
from portal.i18n import _
from portal.security.permissions import Permission
from portal.staff.resources import AREAS, BackofficeArea, DashboardArea, ServiceArea, add_backoffice_child
from portal.views.navigation import area_link


def includeme(config):
    config.add_directive("add_backoffice_child", add_backoffice_child)
    for area in AREAS:
        config.add_root_area(area.segment, area)
    config.add_nav_item("service", area_link(_("Queue"), ServiceArea.segment, Permission.QueueView,
                                             active=("/service/",)), order=100)
    config.add_nav_item("backoffice", area_link(_("Back office"), BackofficeArea.segment, Permission.QueueView,
                                                active=("/backoffice/",)), order=110)
    config.add_nav_item("dashboard", area_link(_("Dashboard"), DashboardArea.segment, Permission.DashboardView,
                                               active=("/dashboard/",)), order=120)
    config.scan(".views")
