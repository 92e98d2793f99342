"""``config.add_feed_kind``: a package declares a kind of feed event, served at
``/api/v1/feed/<kind>`` and open to webhooks (registry.py keeps them)."""
import re
from collections.abc import Callable

from pyramid.exceptions import ConfigurationError

from portal.api.feed.registry import REGISTRY_KEY, FeedKind
from portal.api.feed.services import publish
from portal.workflows.engine import TransitionApplied

NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")


class PublishMoves:
    """A ``TransitionApplied`` subscriber publishing an event of ``kind`` for every move of one
    workflow's items, creation included, in the move's transaction."""

    def __init__(self, kind: str, workflow_name: str, payload: Callable):
        self.kind = kind
        self.workflow_name = workflow_name
        self.payload = payload

    def __call__(self, event: TransitionApplied):
        if event.workflow.name != self.workflow_name:
            return
        publish(event.context.session, self.kind, self.payload(event))


def add_feed_kind(config, name, title, *, schema=None, description="", workflow=None, payload=None):
    """Serve events of ``name`` at ``/api/v1/feed/<name>`` and let webhooks be registered for them.

    The package publishes them itself with ``portal.api.feed.services.publish(dbsession, name,
    payload)`` in the transaction of the change they report; or it gives ``workflow`` and
    ``payload(event) -> dict`` and every move of that workflow's items (its ``TransitionApplied``
    events) publishes one. ``schema``: a colander MappingSchema of the payload. Two packages
    declaring one name is a configuration conflict.
    """
    if not NAME.match(name):
        raise ConfigurationError(f"feed kind {name!r}: lower-case letters, digits and _, at most 40")
    if (workflow is None) != (payload is None):
        raise ConfigurationError(f"feed kind {name!r}: workflow and payload go together")
    kind = FeedKind(name=name, title=title, schema=schema, description=description)

    def register():
        config.registry.setdefault(REGISTRY_KEY, {})[name] = kind

    config.action(("portal.feed_kind", name), register)
    if workflow is not None:
        config.add_subscriber(PublishMoves(name, workflow.name, payload), TransitionApplied)


def includeme(config):
    config.add_directive("add_feed_kind", add_feed_kind)
