"""The traversal tree: ``Root`` → ``p`` → ``PartyResource`` → …; staff areas off the root."""
from .parties import PartyContainer, PartyResource, find_party  # noqa: F401
from .admin import AdminArea, UserResource, UsersContainer  # noqa: F401
from .root import AccountArea, Root, root_factory  # noqa: F401


def includeme(config):
    config.set_root_factory(root_factory)
