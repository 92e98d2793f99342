"""What every console script needs: settings from an .ini, a database session, migrations."""
import contextlib
import os

from alembic.config import Config as AlembicConfig
from pyramid.paster import get_appsettings, setup_logging

from ..models import database_url, get_engine, get_session_factory


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
