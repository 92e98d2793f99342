"""Engine, session factory and the per-request transactional session; every package's models loaded.

Each package keeps its models in its own ``models.py``; ``load_all_models``
imports every one of them (switched-on verticals or not: the migration chain
and the schema are one for all), so relationships named by string resolve and
alembic sees every table. No list of packages is kept here.
"""
import importlib
import importlib.util
import os
import pkgutil

from sqlalchemy import engine_from_config, event
from sqlalchemy.orm import configure_mappers, sessionmaker

from portal.db import joined, lazy
from portal.db.meta import Base  # noqa: F401  (alembic and the tests take the metadata from here)


def load_all_models() -> None:
    """Import ``portal.<package>.models`` for every package that has one, then configure the mappers."""
    import portal

    for info in pkgutil.iter_modules(portal.__path__):
        if info.ispkg and importlib.util.find_spec(f"portal.{info.name}.models") is not None:
            importlib.import_module(f"portal.{info.name}.models")
    configure_mappers()


def database_url(settings) -> str:
    """PORTAL_DB_URL wins over the .ini, so one file serves many deployments."""
    return os.environ.get("PORTAL_DB_URL") or settings["sqlalchemy.url"]


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite's own lower() folds ASCII only: a search for "Частичная" would find nothing where
    # PostgreSQL finds it. Python's str.lower folds every script, as PostgreSQL's lower() does.
    dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def get_engine(settings, prefix="sqlalchemy.", **kw):
    """The engine for ``settings``; on SQLite the database's folder is made if missing (a fresh
    clone has no ``var/``), and the pragmas are set on every connection."""
    settings = dict(settings)
    settings[prefix + "url"] = database_url(settings)
    engine = engine_from_config(settings, prefix, future=True, **kw)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
        _ensure_sqlite_dir(engine.url.database)
    return engine


def _ensure_sqlite_dir(path):
    if path and path != ":memory:":
        directory = os.path.dirname(os.path.abspath(path))
        os.makedirs(directory, exist_ok=True)


def get_session_factory(engine):
    """Sessions of ``engine``; one made by ``get_tm_session`` follows its transaction manager."""
    load_all_models()
    factory = sessionmaker(bind=engine, expire_on_commit=False)
    joined.register_on_factory(factory)
    return factory


def get_tm_session(session_factory, transaction_manager, request=None, bind=None):
    """A session joined to ``transaction_manager``: commit and abort follow it. ``bind``: another
    engine than the factory's (``lazy.read_engine``'s, for a GET)."""
    info = {"request": request, joined.MANAGER_KEY: transaction_manager}
    return session_factory(info=info, **({} if bind is None else {"bind": bind}))


def includeme(config):
    load_all_models()
    settings = config.get_settings()
    settings["tm.manager_hook"] = "pyramid_tm.explicit_manager"
    # pyramid_tm would read the user (a query) while handling any error, so a
    # database outage could never reach our error page.
    settings.setdefault("tm.annotate_user", "false")
    config.include("pyramid_tm")
    config.include("pyramid_retry")

    engine = get_engine(settings)
    session_factory = get_session_factory(engine)
    config.registry["dbsession_factory"] = session_factory
    config.registry["db_engine"] = engine
    reads = lazy.read_engine(engine)

    def dbsession(request):
        # Tests inject a session through the environ to share one transaction.
        session = request.environ.get("app.dbsession")
        if session is None:
            session = get_tm_session(session_factory, request.tm, request=request,
                                     bind=lazy.engine_for(request, engine, reads))
        return session

    config.add_request_method(dbsession, reify=True)
