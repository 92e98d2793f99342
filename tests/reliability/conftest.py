"""The portal as production runs it, for the load and fault tests: gunicorn worker processes on
127.0.0.1 in front of a fresh PostgreSQL database of its own, holding the demo data.

WebTest shares one doomed transaction with the test, so it cannot show what concurrency, row locks,
the connection pool or a database restart do to real requests; these tests speak HTTP to real worker
processes instead. They need PostgreSQL (SQLite has no server to restart, and serialises writers),
so the SQLite run skips them; CI's PostgreSQL run has them.
"""
from __future__ import annotations

import configparser
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import gunicorn
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from alembic import command
from portal.identity.models import User
from portal.parties.models import Party
from portal.requests.models import RequestType
from portal.scripts.demo import DEMO_PASSWORD, load_demo
from tests.conftest import HERE, TEST_SETTINGS, alembic_config
from tests.factories import TEST_PASSWORDS

from .client import Browser, TransportError, find_form, log_in

NEEDS_POSTGRES = ("the reliability tests run gunicorn against PostgreSQL: set "
                  "PORTAL_TEST_DB_URL=postgresql+psycopg://... (skipped in the SQLite run)")
# Sync workers: one request at a time per process, a few processes, so requests meet in the database.
# Threaded workers (gthread, and waitress that pserve runs) compile Chameleon templates on first use in
# parallel threads, and this CPython (3.11.7) then fails now and again with "SystemError: AST
# constructor recursion depth mismatch" (python/cpython#106905, malthe/chameleon#387): a 500 on a cold
# worker that says nothing about load. Switch to gthread here once the portal compiles its templates
# at startup.
WORKERS = 3
START_TIMEOUT = 30.0

# What the temporary .ini changes in a copy of development.ini.
SERVER_SETTINGS = {
    **{k: v for k, v in TEST_SETTINGS.items() if k.startswith("portal.argon2.")},  # fast logins
    "pyramid.reload_templates": "false",  # as in production: no stat() per render under load
    # A pooled connection that died with a database restart is replaced instead of failing a request
    # (production.ini has it; development.ini does not).
    "sqlalchemy.pool_pre_ping": "true",
}


@pytest.fixture(scope="session")
def server_url(db_url) -> URL:
    """The PostgreSQL server of the test run; the tests make their own databases on it."""
    url = make_url(db_url)
    if url.get_backend_name() != "postgresql":
        pytest.skip(NEEDS_POSTGRES)
    return url


@dataclass
class LivePortal:
    """A running portal: where to reach it, its database, and the demo ids the tests need."""

    base_url: str
    db_url: URL
    log_path: Path  # gunicorn's and the portal's log; the access log is beside it
    process: subprocess.Popen | None
    party_ids: dict[str, int] = field(default_factory=dict)  # demo external id -> id
    type_ids: dict[str, int] = field(default_factory=dict)  # request type code -> id
    user_ids: dict[str, int] = field(default_factory=dict)  # demo login -> id

    def browser(self, timeout: float = 10.0) -> Browser:
        return Browser(self.base_url, timeout=timeout)

    def query(self, sql: str, **params) -> list:
        """Rows of one statement on a fresh connection (a pooled one may predate a restart)."""
        engine = create_engine(self.db_url, poolclass=NullPool)
        try:
            with engine.connect() as conn:
                return conn.execute(text(sql), params).all()
        finally:
            engine.dispose()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def tracebacks(self) -> list[str]:
        """Each exception in the log, cut to its last frames and its message."""
        found, block = [], None
        for line in self.log().splitlines():
            if line.startswith("Traceback"):
                block = []
            elif block is not None:
                if line.startswith(" "):
                    block.append(line)
                else:
                    found.append("\n".join(block[-4:] + [line]))
                    block = None
        return found


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def write_ini(path: Path, db_url: URL, uploads: Path) -> None:
    """development.ini with the fresh database, fast password hashing and uploads in the tmp dir."""
    parser = configparser.ConfigParser(interpolation=None)
    parser.optionxform = str  # keep the keys' case
    parser.read(os.path.join(HERE, "development.ini"))
    app = parser["app:main"]
    app.update(SERVER_SETTINGS)
    app["sqlalchemy.url"] = db_url.render_as_string(hide_password=False)
    app["portal.uploads.dir"] = str(uploads)
    app.pop("portal.mail.folder", None)  # these tests deliver to a real SMTP server, not the catcher
    parser["logger_portal"]["level"] = "INFO"
    with path.open("w") as fh:
        parser.write(fh)


def create_database(server: URL) -> URL:
    name = f"portal_reliability_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return server.set(database=name)


def drop_database(url: URL) -> None:
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT", poolclass=NullPool)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    admin.dispose()


def load_data(portal: LivePortal) -> None:
    """Migrations to head, then the demo data, with the ids the load needs."""
    url = portal.db_url.render_as_string(hide_password=False)
    command.upgrade(alembic_config(url), "head")
    engine = create_engine(portal.db_url, poolclass=NullPool)
    with Session(engine) as session, session.begin():
        load_demo(session, TEST_PASSWORDS)
        portal.party_ids = {p.external_id: p.id for p in session.scalars(select(Party))}
        portal.type_ids = {t.code: t.id for t in session.scalars(select(RequestType))}
        portal.user_ids = {u.login: u.id for u in session.scalars(select(User))}
    engine.dispose()


def start_gunicorn(ini: Path, port: int, log_path: Path, template_cache: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k not in ("PORTAL_DB_URL", "PORTAL_SESSION_SECRET")}
    env["CHAMELEON_CACHE"] = str(template_cache)
    argv = [sys.executable, "-m", "gunicorn", "--paste", str(ini), "--bind", f"127.0.0.1:{port}",
            "--workers", str(WORKERS), "--worker-class", "sync", "--timeout", "30", "--graceful-timeout", "5",
            "--access-logfile", str(log_path.with_name("access.log"))]
    if gunicorn.version_info >= (27,):
        argv.append("--no-control-socket")  # else every gunicorn on the machine shares ~/.gunicorn/gunicorn.ctl
    with log_path.open("ab") as log:
        return subprocess.Popen(argv, cwd=HERE, env=env, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)


def wait_until_serving(portal: LivePortal) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    probe = portal.browser(timeout=2.0)
    while time.monotonic() < deadline:
        if portal.process.poll() is not None:
            pytest.fail(f"gunicorn exited with {portal.process.returncode}:\n{portal.log()[-4000:]}")
        try:
            if probe.get("/login").status == 200:
                return
        except TransportError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the portal did not answer within {START_TIMEOUT:.0f} s:\n{portal.log()[-4000:]}")


def warm_up(portal: LivePortal) -> None:
    """Open each page the load uses once, so the load measures a portal in service, not a cold start.

    A worker compiles every template on first use (a second each on a busy 2-core machine, several
    workers at once); with CHAMELEON_CACHE the first compile is shared by all workers through disk.
    """
    def page(browser, path):
        answer = browser.get(path)
        assert answer.status == 200, (path, answer.status, portal.tracebacks())
        return answer

    party_id = portal.party_ids["DEMO-SEVER-ENERGO"]
    customer, staff = portal.browser(timeout=60), portal.browser(timeout=60)
    assert log_in(customer, "energo", DEMO_PASSWORD).status == 303, portal.tracebacks()
    page(customer, f"/p/{party_id}/")
    page(customer, f"/p/{party_id}/requests/")
    form = find_form(page(customer, f"/p/{party_id}/requests/new"), lambda f: f.id == "new-request")
    filed = customer.submit(form, {"type_id": str(portal.type_ids["general"]), "subject": "Warm-up",
                                   "body": "Filed before the load."}, "submit")
    assert filed.status == 303, (filed.status, portal.tracebacks())
    page(customer, filed.location)
    assert log_in(staff, "service", DEMO_PASSWORD).status == 303, portal.tracebacks()
    page(staff, "/p/")
    page(staff, f"/p/{party_id}/requests/?state=new&sort=created")
    page(staff, filed.location)  # with the action forms


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)  # quick shutdown: the test is over, nothing to finish
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@pytest.fixture(scope="session")
def template_cache(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("chameleon")


@pytest.fixture
def live_portal(server_url, template_cache, tmp_path) -> Iterator[LivePortal]:
    """A fresh database with the demo data and gunicorn serving it; both gone afterwards."""
    db_url = create_database(server_url)
    process = None
    try:
        ini = tmp_path / "reliability.ini"
        write_ini(ini, db_url, tmp_path / "uploads")
        port = free_port()
        log_path = tmp_path / "gunicorn.log"
        portal = LivePortal(base_url=f"http://127.0.0.1:{port}", db_url=db_url, log_path=log_path,
                            process=None)
        load_data(portal)
        process = portal.process = start_gunicorn(ini, port, log_path, template_cache)
        wait_until_serving(portal)
        warm_up(portal)
        yield portal
    finally:
        if process is not None:
            stop(process)
        drop_database(db_url)
