"""The header's navigation, contributed by the packages: ``config.add_nav_item(name, factory, order)``.

``factory(layout)`` returns a ``NavItem`` or None (this user may not go there);
``area_link`` makes the usual one: a link to a root area (or a page in it), shown
only to those the area's ACL lets in. Nothing of a package switched off is registered.
"""
from dataclasses import dataclass

from portal.kept import kept
from portal.security.principals import principals_for

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


# The links of ``area_link`` each principal set may follow, per site address: an area's ACL is its
# class's, so what a link answers depends on those alone. Emptied when it grows past NAV_CACHE_SIZE.
NAV_CACHE = "portal.nav_cache"
NAV_CACHE_SIZE = 2048


def _registered(registry) -> list:
    """(name, factory) of every item, in order; sorted once per application."""
    ordered = registry.get(NAV_ITEMS + ".ordered")
    if ordered is None:
        items = sorted(registry.get(NAV_ITEMS, {}).items(), key=lambda kv: (kv[1][0], kv[0]))
        ordered = registry[NAV_ITEMS + ".ordered"] = [(name, factory) for name, (_order, factory) in items]
    return ordered


def _area_targets(layout, registered) -> dict:
    """name -> what each ``area_link`` item gives this page's user: (url, active prefixes) or None.

    Worked out once per set of principals (the user, its roles, parties, groups) and site address,
    then kept (``portal.kept``): the navigation is the same on every page of a session but for which link is active.
    """
    if not layout.identity:  # nobody logged in (or an error page of the database: no query for principals)
        return {name: None for name, factory in registered if isinstance(factory, AreaLink)}
    request = layout.request
    key = (request.application_url, tuple(principals_for(layout.identity)))
    return kept(request.registry, NAV_CACHE, key, lambda: {
        name: factory.target(layout) for name, factory in registered if isinstance(factory, AreaLink)},
        NAV_CACHE_SIZE)


def nav_items(layout) -> list[NavItem]:
    """The items this page's user may follow, in order."""
    registered = _registered(layout.request.registry)
    targets = _area_targets(layout, registered)
    items = []
    for name, factory in registered:
        if isinstance(factory, AreaLink):
            target = targets[name]
            item = None if target is None else factory.item(target, layout)
        else:
            item = factory(layout)
        if item is not None:
            items.append(item)
    return items


class AreaLink:
    """A link to ``/<area>/<path…>``, for those allowed ``permission`` on the area; active while the
    page's path starts with one of ``active`` (default: the link's own path). Made by ``area_link``;
    ``nav_items`` keeps what it answers per principal set."""

    def __init__(self, title, area, permission, path, active):
        self.title, self.area, self.permission, self.path = title, area, permission, path
        self.active = tuple(active) if active else ("/" + "/".join((area,) + tuple(p for p in path if p)),)

    def target(self, layout):
        """(url, active prefixes) when this page's user may go there, else None."""
        request = layout.request
        if not layout.identity:
            return None
        try:
            resource = layout.root[self.area]
        except KeyError:
            return None
        if not request.has_permission(self.permission, resource):
            return None
        url = request.resource_url(resource, *self.path) if self.path else request.resource_url(resource)
        return url, self.active

    def item(self, target, layout) -> NavItem:
        url, prefixes = target
        return NavItem(self.title, url, layout.path.startswith(prefixes))

    def __call__(self, layout):
        target = self.target(layout)
        return None if target is None else self.item(target, layout)


def area_link(title, area, permission, *path, active=None):
    """A factory linking ``/<area>/<path…>``, for those allowed ``permission`` on the area;
    active while the page's path starts with one of ``active`` (default: the link's own path)."""
    return AreaLink(title, area, permission, path, active)


def includeme(config):
    config.add_directive("add_nav_item", add_nav_item)
