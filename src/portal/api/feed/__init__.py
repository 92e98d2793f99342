"""The feed of what customers submitted, for the accounting system to pull: ``/api/v1/feed/<kind>``
in commit order, acknowledged per API key (services.py). Packages declare their kinds with
``config.add_feed_kind`` (kinds.py) and publish events in the transaction of the change."""


def includeme(config):
    config.include(".kinds")
    # ``/api/v1/feed`` is taken: an API entity of that name would never be reached.
    config.action(("portal.api_entity", "feed"), None)
    config.scan(".views")
