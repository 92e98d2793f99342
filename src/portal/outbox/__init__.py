"""The outbox: e-mails written with the change they report, sent by ``portal-worker``, watched at
``/admin/outbox/``; the notifier that writes workflow news into it."""
from portal.i18n import _
from portal.outbox.resources import OutboxArea
from portal.security.permissions import Permission
from portal.views.navigation import area_link


def includeme(config):
    config.include(".notifier")
    config.add_admin_child(OutboxArea.segment, OutboxArea)
    config.add_admin_permission(Permission.AdminOutbox)
    config.add_nav_item("admin-outbox", area_link(_("Outbox"), "admin", Permission.AdminOutbox, "outbox", ""),
                        order=530)
    config.scan(".views")
