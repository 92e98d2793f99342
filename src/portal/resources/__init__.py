"""The traversal tree: ``Root`` → ``p`` → ``PartyResource`` → …; staff areas off the root."""
from .parties import PartyContainer, PartyResource, find_party  # noqa: F401
from . import workflow_items
from .workflow_items import (  # noqa: F401
    ChangeRequestItem,
    ChangesContainer,
    RequestItem,
    RequestsContainer,
    ThreadResource,
    ThreadsContainer,
    TicketItem,
    TicketsContainer,
)
from .attachments import AttachmentResource, AttachmentsContainer  # noqa: F401
from .items import ItemContainer, WorkflowItem  # noqa: F401
from .admin import AdminArea, UserResource, UsersContainer  # noqa: F401
from .root import AccountArea, Root, root_factory  # noqa: F401


def _registrar(key):
    def directive(config, name, factory):
        def register():
            config.registry.setdefault(key, {})[name] = factory

        config.action((key, name), register)

    return directive


def includeme(config):
    config.set_root_factory(root_factory)
    # /p/<id>/<name>/, /<name>/ and /admin/<name>/ are registered by the features that own them.
    config.add_directive("add_party_child", _registrar("party_children"))
    config.add_directive("add_root_area", _registrar("root_areas"))
    config.add_directive("add_admin_child", _registrar("admin_children"))
    workflow_items.register(config)
    config.include(".admin_workflows")
    config.include(".staff_areas")
    config.include(".backoffice")
    config.add_party_child("attachments", AttachmentsContainer)
