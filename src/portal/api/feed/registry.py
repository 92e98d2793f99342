"""The feed kinds declared (kinds.py's ``config.add_feed_kind``), as the API and the admin pages read them."""
from collections.abc import Callable
from dataclasses import dataclass

REGISTRY_KEY = "portal.feed_kinds"


@dataclass(frozen=True)
class FeedKind:
    """One kind of event: its name in URLs, its title on the admin page, the colander schema of its
    payload (documented in ``/api/v1/openapi.json``) and a sentence on when an event is published."""

    name: str
    title: object
    schema: Callable | None = None
    description: str = ""

    def make_schema(self):
        schema = self.schema
        return schema() if isinstance(schema, type) else schema


def feed_kinds(registry) -> dict[str, FeedKind]:
    """Every declared kind by name."""
    return registry.get(REGISTRY_KEY, {})
