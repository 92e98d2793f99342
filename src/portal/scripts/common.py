"""What every console script needs: settings from an .ini, a database session, migrations, and
for work that moves items, the application itself (its subscribers hear every move)."""
import contextlib
import os

from alembic.config import Config as AlembicConfig
from pyramid.paster import bootstrap, get_appsettings, setup_logging

from portal.db import database_url, get_engine, get_session_factory


def load_settings(config_uri: str) -> dict:
    setup_logging(config_uri)
    return get_appsettings(config_uri)


def alembic_config(config_uri: str, settings: dict) -> AlembicConfig:
    path = config_uri.split("#", 1)[0]
    cfg = AlembicConfig(path)
    if not cfg.get_main_option("script_location"):
        here = os.path.dirname(os.path.abspath(path))
        cfg.set_main_option("script_location", os.path.join(here, "alembic"))
    cfg.attributes["url"] = database_url(settings)
    return cfg


@contextlib.contextmanager
def db_session(settings):
    """One transaction: committed when the block ends, rolled back on error."""
    engine = get_engine(settings)
    session = get_session_factory(engine)()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
        engine.dispose()


@contextlib.contextmanager
def app_request(config_uri: str):
    """A request of the configured application, in one transaction committed when the block ends.

    Moves made through it reach the same subscribers as in the web app (in-app
    notices, e-mails, and whatever a package adds), because ``request.registry.notify``
    is the application's own.
    """
    with bootstrap(config_uri) as env:
        request = env["request"]
        with request.tm:
            yield request
