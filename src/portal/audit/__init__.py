"""The audit log of staff and security actions: written by every package, read at ``/admin/audit``."""
from portal.audit.resources import AuditArea
from portal.i18n import _
from portal.security.permissions import Permission
from portal.views.navigation import area_link


def includeme(config):
    config.include(".services")
    config.add_admin_child(AuditArea.segment, AuditArea)
    config.add_admin_permission(Permission.AdminAudit)
    config.add_nav_item("admin-audit", area_link(_("Audit log"), "admin", Permission.AdminAudit, "audit",
                                                 active=("/admin/audit",)), order=510)
    config.scan(".views")
