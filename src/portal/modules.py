"""Verticals (finance, utility, logistics, custody) switched on per deployment.

``portal.modules = finance utility`` in the .ini includes each named module;
a module contributes tiles to the party home with ``config.add_party_tile``.
"""
from dataclasses import dataclass

from pyramid.exceptions import ConfigurationError
from pyramid.settings import aslist

# Module name -> dotted name of its includeme. Verticals add themselves here.
KNOWN_MODULES: dict[str, str] = {}


@dataclass(frozen=True)
class PartyTile:
    """A link on the party home to one section of a module."""

    name: str
    title: object  # a TranslationString
    view_name: str
    permission: str
    order: int = 100


def add_party_tile(config, name, title, view_name, permission, order=100):
    tiles = config.registry.setdefault("party_tiles", {})

    def register():
        tiles[name] = PartyTile(name, title, view_name, permission, order)

    config.action(("portal.party_tile", name), register)


def party_tiles(request, context):
    """The tiles of enabled modules that this user may open on this party."""
    tiles = sorted(request.registry.get("party_tiles", {}).values(), key=lambda t: (t.order, t.name))
    return [t for t in tiles if request.has_permission(t.permission, context)]


def enabled_modules(settings) -> list[str]:
    names = aslist(settings.get("portal.modules", ""))
    unknown = [n for n in names if n not in KNOWN_MODULES]
    if unknown:
        raise ConfigurationError(
            "Unknown portal.modules: %s (known: %s)"
            % (", ".join(unknown), ", ".join(sorted(KNOWN_MODULES)) or "none yet")
        )
    return names


def includeme(config):
    config.add_directive("add_party_tile", add_party_tile)
    settings = config.get_settings()
    modules = enabled_modules(settings)
    settings["portal.enabled_modules"] = modules
    for name in modules:
        config.include(KNOWN_MODULES[name])
