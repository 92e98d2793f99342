"""A live portal (waitress in a thread, its own demo database) and Debian's Chromium.

The live server cannot share the doomed test transaction, so it gets a
database of its own: a scratch SQLite file, or a scratch PostgreSQL database
beside the test one when the suite runs on PostgreSQL.
"""
import os
import socket
import threading

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool
from waitress.server import create_server

import portal
from alembic import command
from portal.scripts.demo import load_demo
from tests.conftest import TEST_SETTINGS, alembic_config
from tests.factories import TEST_PASSWORDS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
]


@pytest.fixture(scope="session")
def live_db_url(db_url, tmp_path_factory):
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        yield f"sqlite:///{tmp_path_factory.mktemp('live')}/live.sqlite"
        return
    name = f"{url.database}_live"
    # No pool: a connection kept from the start would be dead at the end, once the reliability tests
    # have restarted PostgreSQL (CI's PORTAL_RESTART_DB), and the drop would fail on it.
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def live_server(live_db_url):
    command.upgrade(alembic_config(live_db_url), "head")
    engine = create_engine(live_db_url)
    with Session(engine) as session, session.begin():
        load_demo(session, TEST_PASSWORDS)
    engine.dispose()
    app = portal.main({}, **dict(TEST_SETTINGS, **{"sqlalchemy.url": live_db_url}))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.close()


@pytest.fixture(scope="session")
def browser():
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install chromium (.ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()
