"""Portal: a self-hosted customer portal on Pyramid (traversal, ACL, SQLAlchemy).

``main()`` includes the core packages, each of which registers itself through
its ``includeme`` (resources, grants, navigation, work kinds, views — scanning
only itself), then the verticals named in ``portal.modules``. A vertical that
is not named is never included, so nothing of it is registered.
"""
import importlib.util
import warnings

# Pyramid and deform import pkg_resources, and setuptools (pinned below 81 to keep it) warns about it
# on every import: a note to those projects, not to whoever starts a console script. Said before
# Pyramid is first imported; pserve imports it before the portal, so run-portal quiets it there.
warnings.filterwarnings("ignore", message="pkg_resources is deprecated as an API", category=UserWarning)

from pyramid.config import Configurator  # noqa: E402
from pyramid.exceptions import ConfigurationError  # noqa: E402
from pyramid.settings import aslist  # noqa: E402

from portal.startup import freeze_startup_objects  # noqa: E402

# The shared layers first (their directives are used by the domains), then the core domains.
CORE = (
    "portal.db", "portal.i18n", "portal.security", "portal.forms", "portal.formtokens", "portal.root", "portal.views",
    "portal.workflows", "portal.parties", "portal.admin", "portal.identity", "portal.attachments",
    "portal.documents", "portal.audit", "portal.outbox", "portal.notifications", "portal.staff", "portal.requests",
    "portal.tickets", "portal.changes", "portal.messages", "portal.onboarding", "portal.api",
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
    app = config.make_wsgi_app()
    freeze_startup_objects(app.registry.settings)
    return app
