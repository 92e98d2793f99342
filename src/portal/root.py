"""The root of the traversal tree, and the directive that hangs an area off it.

Every segment under the root (``p``, ``account``, ``admin``, ``service`` …) is
registered by the package that owns it with ``config.add_root_area``, so the
root knows none of them; an unknown segment is a 404.
"""
from pyramid.authorization import Allow, Everyone

from portal.security.permissions import Permission

ROOT_AREAS = "portal.root_areas"


class Root:
    """``/``: public pages (login, language) and the registered areas."""

    __name__ = ""
    __parent__ = None

    def __init__(self, request):
        self.request = request

    @property
    def dbsession(self):
        return self.request.dbsession

    def __acl__(self):
        return [(Allow, Everyone, Permission.Public)]

    def __getitem__(self, name):
        factory = self.request.registry.get(ROOT_AREAS, {}).get(name)
        if factory is None:
            raise KeyError(name)
        return factory(self)


def root_factory(request):
    return Root(request)


def add_root_area(config, name, factory):
    """``/<name>/`` is ``factory(root)``; two packages claiming one name is a configuration conflict."""

    def register():
        config.registry.setdefault(ROOT_AREAS, {})[name] = factory

    config.action(("portal.root_area", name), register)


def includeme(config):
    config.set_root_factory(root_factory)
    config.add_directive("add_root_area", add_root_area)
