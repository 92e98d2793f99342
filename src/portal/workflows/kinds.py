"""Kinds of work item, registered by their packages: ``config.add_work_kind(...)``.

What the queue, the dashboard, the notices and item URLs need to know of a
workflow item kind is said once, where the kind is defined: its workflow and
model, its URL segment under a party, the permission that lets a user see one,
whether it is worked in the service queue, counted on the dashboard and
announced in notices, and which staff watch for new items of it.
"""
from collections.abc import Callable
from dataclasses import dataclass

from pyramid.exceptions import ConfigurationError

WORK_KINDS = "portal.work_kinds"


@dataclass(frozen=True)
class WorkKind:
    """One kind of workflow item. ``key`` names it in the queue's URLs and forms (``?kind=ticket``)."""

    workflow: object
    segment: str
    key: str
    title: object  # singular: "Service ticket"
    plural: object  # "Service tickets"
    view_permission: str
    in_queue: bool = False  # worked in /service/ (it has a priority, a due time, an assignee)
    on_dashboard: bool = True
    notices: bool = True  # its moves make in-app notices and e-mails for author and assignee
    # Who hears of new work of this kind: ``watchers(event)`` is a SQL condition on ``User.id`` (see
    # workflows/watchers.py) for a move that brings new work (a request filed, a change request
    # submitted), None for every other move; ``news`` heads the notice's e-mail ("New request #12 …
    # from …", with ${id}, ${subject} and ${party}).
    watchers: Callable | None = None
    news: object = None
    # The staff area listing the items waiting in one state ((area, state)), for the dashboard's links.
    decided_in: tuple | None = None

    @property
    def name(self) -> str:
        return self.workflow.name

    @property
    def model(self):
        return self.workflow.model

    @property
    def has_due(self) -> bool:
        return hasattr(self.model, "due_at")


def add_work_kind(config, workflow, *, segment, key, title, plural, view_permission, **options):
    kind = WorkKind(workflow, segment, key, title, plural, view_permission, **options)
    if (kind.watchers is None) != (kind.news is None):
        raise ConfigurationError(f"work kind {kind.name}: watchers and news go together")

    def register():
        config.registry.setdefault(WORK_KINDS, {})[kind.name] = kind

    config.action(("portal.work_kind", kind.name), register)
    config.action(("portal.work_kind_key", key), None)


def work_kinds(registry) -> dict[str, WorkKind]:
    """Every registered kind by workflow name, in registration order."""
    return registry.get(WORK_KINDS, {})


def work_kind(registry, workflow_name) -> WorkKind:
    return work_kinds(registry)[workflow_name]


def queue_kinds(registry) -> dict[str, WorkKind]:
    """The kinds the service queue works, by their key."""
    return {k.key: k for k in work_kinds(registry).values() if k.in_queue}


def item_path(registry, workflow_name, party_id, item_id) -> str:
    """The one place an item's URL is made: ``/p/<party>/<segment>/<id>/``."""
    return f"/p/{party_id}/{work_kind(registry, workflow_name).segment}/{item_id}/"


def includeme(config):
    config.add_directive("add_work_kind", add_work_kind)
