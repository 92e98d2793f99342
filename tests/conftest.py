"""Fixtures shared by every test: one migrated database per run, a doomed
transaction per test, and a WebTest app that shares that transaction.

The database is SQLite in a temporary file unless PORTAL_TEST_DB_URL names
another (CI sets a fresh PostgreSQL database there).
"""
import atexit
import os
import re
import shutil
import tempfile
from contextlib import contextmanager

import pytest
import transaction
import webtest
from alembic.config import Config as AlembicConfig
from sqlalchemy import event, text

import portal
from alembic import command
from portal import db as models
from tests import factories

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
os.environ.pop("PORTAL_DB_URL", None)  # the test database is chosen here, not by the shell
os.environ.pop("PORTAL_SESSION_SECRET", None)

UPLOADS = tempfile.mkdtemp(prefix="portal-test-uploads-")
atexit.register(shutil.rmtree, UPLOADS, ignore_errors=True)

TEST_SETTINGS = {
    "portal.session.secret": "test-secret-0123456789abcdef0123456789abcdef",
    "portal.argon2.time_cost": "1",
    "portal.argon2.memory_cost": "8",
    "portal.argon2.parallelism": "1",
    "portal.login.max_failures": "5",
    "portal.login.lockout_minutes": "15",
    "portal.login.ip_max_failures": "20",
    "retry.attempts": "3",
    "pyramid.default_locale_name": "en",
    "portal.modules": "finance utility",
    "portal.readings.auto_accept": "true",
    # SMS on (registration's phone codes, the SMS channel): the web app only writes them to the outbox.
    "portal.sms.folder": "var/test-sms",
    # Each run keeps its files apart: two runs at once (SQLite and PostgreSQL) share no upload folder.
    "portal.uploads.dir": UPLOADS,
}


def pytest_collection_modifyitems(config, items):
    """Load and fault tests last: they restart servers the rest of the suite relies on."""
    items.sort(key=lambda item: "/reliability/" in str(item.path))


def pytest_addoption(parser):
    parser.addoption("--db-url", default=None, help="database URL for the tests (else PORTAL_TEST_DB_URL, else SQLite)")


@pytest.fixture(scope="session")
def db_url(request, tmp_path_factory):
    url = request.config.getoption("--db-url") or os.environ.get("PORTAL_TEST_DB_URL")
    if not url:
        url = "sqlite:///" + str(tmp_path_factory.mktemp("db") / "portal-test.sqlite")
    return url


def alembic_config(url) -> AlembicConfig:
    cfg = AlembicConfig(os.path.join(HERE, "development.ini"))
    cfg.set_main_option("script_location", os.path.join(HERE, "alembic"))
    cfg.attributes["url"] = url
    return cfg


def reset_database(engine):
    """A test database starts empty: PostgreSQL gets a new public schema."""
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))


@pytest.fixture(scope="session")
def app_settings(db_url):
    return dict(TEST_SETTINGS, **{"sqlalchemy.url": db_url})


@pytest.fixture(scope="session")
def migrated_engine(app_settings):
    engine = models.get_engine(app_settings)
    reset_database(engine)
    command.upgrade(alembic_config(app_settings["sqlalchemy.url"]), "head")
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def app(app_settings, migrated_engine):
    return portal.main({}, **app_settings)


@pytest.fixture
def tm():
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()
    yield manager
    manager.abort()


@pytest.fixture
def dbsession(app, tm):
    session = models.get_tm_session(app.registry["dbsession_factory"], tm)
    factories.bind(session)
    yield session
    factories.bind(None)


@pytest.fixture
def testapp(app, tm, dbsession):
    return webtest.TestApp(
        app,
        extra_environ={
            "HTTP_HOST": "localhost",
            "REMOTE_ADDR": "192.0.2.10",
            "tm.active": True,
            "tm.manager": tm,
            "app.dbsession": dbsession,
        },
    )


PASSWORD = "Correct-horse-42"


def login(testapp, login_name, password=PASSWORD, *, status=303, next_url=None):
    """Log in through the form, as a person would."""
    url = "/login" + (f"?next={next_url}" if next_url else "")
    page = testapp.get(url)
    form = page.forms["login"]
    form["login"] = login_name
    form["password"] = password
    return form.submit("submit", status=status)


def csrf_token(testapp) -> str:
    """The CSRF token of the current session, read from a page's hidden field."""
    page = testapp.get("/login") if not testapp.cookies else testapp.get("/account/")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, "no CSRF token on the page"
    return match.group(1)


@contextmanager
def statements(dbsession):
    """The SQL statements run meanwhile (an executemany counts once: it is one round of the driver)."""
    seen = []
    engine = dbsession.get_bind()

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)
