"""Alembic environment: the database URL comes from the app's .ini or PORTAL_DB_URL."""
from sqlalchemy import pool

from alembic import context
from portal.db import database_url, get_engine, load_all_models
from portal.db.meta import Base, include_object

load_all_models()  # every package's tables, whichever verticals a deployment switches on

config = context.config
target_metadata = Base.metadata


def _url():
    # initialize_portal_db passes the app settings' URL in; `alembic -c x.ini` reads [app:main].
    url = config.attributes.get("url")
    if url:
        return url
    from pyramid.paster import get_appsettings

    return database_url(get_appsettings(config.config_file_name))


def run_migrations_offline():
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True,
                      render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    # The app's own engine: on SQLite it makes the database's folder, which a fresh clone lacks.
    engine = get_engine({"sqlalchemy.url": _url()}, poolclass=pool.NullPool)
    with engine.connect() as connection:
        _run(connection)


def _run(connection):
    sqlite = connection.dialect.name == "sqlite"
    if sqlite:
        # A batch migration rebuilds a table on SQLite: it copies it, drops the old one and renames
        # the copy. With foreign keys enforced, dropping a table deletes its rows first, and that
        # cascades: rebuilding ``users`` would delete every membership and role. So they are off
        # while migrating (a PRAGMA that takes effect outside a transaction only), checked after.
        connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
        connection.commit()
    context.configure(connection=connection, target_metadata=target_metadata,
                      render_as_batch=sqlite, compare_type=True, include_object=include_object)
    try:
        with context.begin_transaction():
            context.run_migrations()
    finally:
        if sqlite:
            if connection.in_transaction():
                connection.commit()
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            connection.exec_driver_sql("PRAGMA foreign_keys=ON")
            connection.commit()
    if sqlite and broken:
        raise RuntimeError(f"the migration left rows whose references are broken: {broken[:10]}")


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
