"""Administration (``/admin/``): users, parties and their contracts, and the settings of how work is
routed and timed (request types, SLA, staff groups, who answers messages). Other packages add sections
with ``config.add_admin_child``; a party's home links its administration page (a party panel)."""
from portal.admin.resources import ADMIN_SECTIONS, AdminArea, add_admin_child, add_admin_permission
from portal.i18n import _
from portal.security.permissions import Permission
from portal.views.navigation import area_link

SETTINGS_PAGES = ("/admin/request-types/", "/admin/sla/", "/admin/groups/", "/admin/messages/",
                  "/admin/party-groups/")


def includeme(config):
    config.add_directive("add_admin_child", add_admin_child)
    config.add_directive("add_admin_permission", add_admin_permission)
    config.add_root_area("admin", AdminArea)
    for section in ADMIN_SECTIONS:
        config.add_admin_child(section.segment, section)
    config.add_nav_item("admin-users", area_link(_("Users"), "admin", Permission.AdminUsers, "users",
                                                 active=("/admin/users",)), order=500)
    config.add_nav_item("admin-parties", area_link(_("Manage parties"), "admin", Permission.AdminParties, "parties",
                                                   "", active=("/admin/parties",)), order=505)
    config.add_party_panel("admin", "portal.admin.views.parties.admin_panel", "portal:admin/templates/panel.pt",
                           order=1000)
    # The workflow settings: request types, SLA, staff groups and messages share one sub-navigation.
    config.add_nav_item("admin-settings", area_link(_("Settings"), "admin", Permission.AdminWorkflows,
                                                    "request-types", "", active=SETTINGS_PAGES), order=520)
    config.scan(".views")
