"""Portal: a self-hosted customer portal on Pyramid (traversal, ACL, SQLAlchemy)."""
from pyramid.config import Configurator


def main(global_config, **settings):
    """The WSGI application: the core always, verticals as ``portal.modules`` says."""
    with Configurator(settings=settings) as config:
        config.include("pyramid_chameleon")
        config.include("pyramid_services")
        config.include(".models")
        config.include(".i18n")
        config.include(".security")
        config.include(".services")
        config.include(".forms")
        config.include(".resources")
        config.include(".modules")
        config.include(".views")
        config.scan(".views")
    return config.make_wsgi_app()
