"""Notifications: what reaches each person how — a channel per kind (e-mail, SMS, in the portal only,
off) chosen on ``/account/notifications``, defaults per staff role on ``/admin/notifications/``, and
the letter templates every notification is worded by (``texts/``). The outbox writes and delivers
them (outbox/letters.py says who gets what)."""
from portal.notifications.resources import NotificationDefaultsArea
from portal.security.permissions import Permission


def includeme(config):
    config.add_admin_child(NotificationDefaultsArea.segment, NotificationDefaultsArea)
    config.add_admin_permission(Permission.AdminNotifications)
    config.scan(".views")
