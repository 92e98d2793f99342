"""Webhooks: the feed's events POSTed, signed, to the URLs an admin registered per kind, through the
outbox's queue (``portal-worker``), with their delivery history at ``/admin/integration/webhooks/``."""


def includeme(config):
    config.scan(".views")
