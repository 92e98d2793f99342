"""Portal: a self-hosted customer portal on Pyramid (traversal, ACL, SQLAlchemy).

``main()`` includes the core packages, each of which registers itself through
its ``includeme`` (resources, grants, navigation, work kinds, views — scanning
only itself), then the verticals named in ``portal.modules``. A vertical that
is not named is never included, so nothing of it is registered.
"""
import importlib.util

from pyramid.config import Configurator
from pyramid.exceptions import ConfigurationError
from pyramid.settings import aslist

# The shared layers first (their directives are used by the domains), then the core domains.
CORE = (
    "portal.db", "portal.i18n", "portal.security", "portal.forms", "portal.root", "portal.views",
    "portal.workflows", "portal.parties", "portal.admin", "portal.identity", "portal.attachments",
    "portal.audit", "portal.outbox", "portal.staff", "portal.requests", "portal.tickets", "portal.changes",
    "portal.messages",
)
MODULES_SETTING = "portal.modules"


def vertical_package(name: str) -> str:
    """The package a ``portal.modules`` name stands for: ``finance`` is ``portal.finance``; a dotted
    name is taken as it is (a deployment's own vertical)."""
    package = name if "." in name else f"portal.{name}"
    try:
        found = importlib.util.find_spec(package) is not None
    except ModuleNotFoundError:
        found = False
    if not found or package in CORE:
        raise ConfigurationError(f"{MODULES_SETTING}: there is no vertical {name!r}")
    return package


def enabled_modules(settings) -> list[str]:
    """The verticals' packages ``portal.modules`` names, checked at start."""
    return [vertical_package(name) for name in aslist(settings.get(MODULES_SETTING, ""))]


def main(global_config, **settings):
    """The WSGI application: the core always, verticals as ``portal.modules`` says."""
    with Configurator(settings=settings) as config:
        config.include("pyramid_chameleon")
        config.include("pyramid_services")
        for package in CORE:
            config.include(package)
        modules = enabled_modules(config.get_settings())
        config.registry.settings["portal.enabled_modules"] = modules
        for package in modules:
            config.include(package)
    return config.make_wsgi_app()
