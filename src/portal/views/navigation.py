"""The header's navigation, contributed by the packages: ``config.add_nav_item(name, factory, order)``.

``factory(layout)`` returns a ``NavItem`` or None (this user may not go there);
``area_link`` makes the usual one: a link to a root area (or a page in it), shown
only to those the area's ACL lets in. Nothing of a package switched off is registered.
"""
from dataclasses import dataclass

NAV_ITEMS = "portal.nav_items"


@dataclass
class NavItem:
    title: object
    url: str
    active: bool = False


def add_nav_item(config, name, factory, order=100):
    def register():
        config.registry.setdefault(NAV_ITEMS, {})[name] = (order, factory)

    config.action(("portal.nav_item", name), register)


def nav_items(layout) -> list[NavItem]:
    """The items this page's user may follow, in order."""
    registered = sorted(layout.request.registry.get(NAV_ITEMS, {}).items(), key=lambda kv: (kv[1][0], kv[0]))
    items = (factory(layout) for _name, (_order, factory) in registered)
    return [item for item in items if item is not None]


def area_link(title, area, permission, *path, active=None):
    """A factory linking ``/<area>/<path…>``, for those allowed ``permission`` on the area;
    active while the page's path starts with one of ``active`` (default: the link's own path)."""

    def factory(layout):
        request = layout.request
        if not layout.identity:
            return None
        try:
            resource = layout.root[area]
        except KeyError:
            return None
        if not request.has_permission(permission, resource):
            return None
        url = request.resource_url(resource, *path) if path else request.resource_url(resource)
        prefixes = active or ("/" + "/".join((area,) + tuple(p for p in path if p)),)
        return NavItem(title, url, layout.path.startswith(tuple(prefixes)))

    return factory


def includeme(config):
    config.add_directive("add_nav_item", add_nav_item)
