"""GET and HEAD requests open a transaction at their first write, not before (portal/db/lazy.py)."""
import pytest
import webtest
from psycopg.pq import TransactionStatus
from pyramid.config import Configurator
from sqlalchemy import delete, func, select

from portal.db.lazy import is_plain_read
from portal.parties.models import Party


@pytest.mark.parametrize("statement", [
    "SELECT 1",
    "  select parties.id FROM parties WHERE parties.name = %(name)s",
    "SELECT count(*) FROM (SELECT users.id FROM users LIMIT 1001) AS anon_1",
])
def test_a_select_that_locks_nothing_is_a_plain_read(statement):
    assert is_plain_read(statement)


@pytest.mark.parametrize("statement", [
    "SELECT parties.id FROM parties WHERE parties.id = 1 FOR UPDATE",
    "SELECT parties.id FROM parties FOR NO KEY UPDATE OF parties",
    "SELECT parties.id FROM parties FOR SHARE",
    "select id from parties for key share",
    "UPDATE auth_sessions SET last_seen_at = now()",
    "INSERT INTO parties (name) VALUES ('x')",
    "DELETE FROM parties",
    "SAVEPOINT sa_savepoint_1",
    "WITH moved AS (UPDATE parties SET name = 'x' RETURNING id) SELECT * FROM moved",
    "SET LOCAL synchronous_commit = off",
    "SELECT pg_advisory_xact_lock(%s, %s)",
    "SELECT nextval('feed_commit_seq')",
])
def test_anything_else_needs_a_transaction(statement):
    assert not is_plain_read(statement)


def test_a_statement_is_searched_once_however_often_it_runs(monkeypatch):
    from portal.db import lazy

    searched = []
    pattern = lazy._NEEDS_TRANSACTION
    monkeypatch.setattr(lazy, "_NEEDS_TRANSACTION", type("Counting", (), {
        "search": staticmethod(lambda text: searched.append(text) or pattern.search(text))})())
    lazy.is_plain_read.cache_clear()
    read, locking = "SELECT users.id FROM users WHERE users.id = %(id)s", "SELECT 1 FROM users FOR UPDATE"
    answers = [is_plain_read(statement) for _ in range(3) for statement in (read, locking)]
    assert answers == [True, False] * 3
    assert searched == [read, locking]
    lazy.is_plain_read.cache_clear()


def _app(app_settings, views):
    with Configurator(settings=dict(app_settings)) as config:
        config.include("portal.db")
        for name, (view, method) in views.items():
            config.add_route(name, f"/{name}")
            config.add_view(view, route_name=name, request_method=method)
    return config.make_wsgi_app()


def _status(request):
    """The driver connection's transaction state (PostgreSQL), None elsewhere."""
    dbapi_connection = request.dbsession.connection().connection.dbapi_connection
    info = getattr(dbapi_connection, "info", None)
    return getattr(info, "transaction_status", None)


def test_a_get_that_reads_opens_no_transaction_and_a_post_does(app_settings, migrated_engine):
    seen = {}

    def read(request):
        request.dbsession.scalar(select(func.count()).select_from(Party))
        seen[request.method] = _status(request)
        return request.response

    wsgi = _app(app_settings, {"get": (read, "GET"), "post": (read, "POST")})
    testapp = webtest.TestApp(wsgi)
    testapp.get("/get")
    testapp.post("/post")
    if migrated_engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps its transactions: they cost no round trip")
    assert seen == {"GET": TransactionStatus.IDLE, "POST": TransactionStatus.INTRANS}


def test_a_get_that_writes_after_reading_commits_the_write_and_holds_it_in_one_transaction(
        app_settings, migrated_engine):
    seen = {}

    def read_then_write(request):
        db = request.dbsession
        seen["before"] = db.scalar(select(func.count()).select_from(Party).where(Party.name == "Lazy write"))
        db.add(Party(name="Lazy write"))
        db.flush()
        seen["status"] = _status(request)
        return request.response

    wsgi = _app(app_settings, {"write": (read_then_write, "GET")})
    webtest.TestApp(wsgi).get("/write")
    session = wsgi.registry["dbsession_factory"]()
    try:
        assert session.scalar(select(func.count()).select_from(Party).where(Party.name == "Lazy write")) == 1
        session.execute(delete(Party).where(Party.name == "Lazy write"))
        session.commit()
    finally:
        session.close()
    assert seen["before"] == 0
    if migrated_engine.dialect.name == "postgresql":
        assert seen["status"] == TransactionStatus.INTRANS


def test_a_get_that_fails_after_writing_keeps_nothing(app_settings, migrated_engine):
    def write_then_fail(request):
        db = request.dbsession
        db.scalar(select(func.count()).select_from(Party))
        db.add(Party(name="Lazy vanish"))
        db.flush()
        db.add(Party(name="Lazy vanish too"))
        db.flush()
        raise RuntimeError("boom")

    wsgi = _app(app_settings, {"fail": (write_then_fail, "GET")})
    with pytest.raises(RuntimeError):
        webtest.TestApp(wsgi).get("/fail")
    session = wsgi.registry["dbsession_factory"]()
    try:
        names = ["Lazy vanish", "Lazy vanish too"]
        assert session.scalar(select(func.count()).select_from(Party).where(Party.name.in_(names))) == 0
    finally:
        session.close()
