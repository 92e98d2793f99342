"""The bare list page runs exactly the SQL the portal's page runs, and tells its results apart by shape.

A list page's view may make lookups besides its count and its rows (the admin
user list counts the seats the licence allows); the bare app is measured
against it with the same statements, or the ratio compares unequal work.
"""
import os
import sqlite3

import pytest

from bench import runner
from bench.bare_app import ListView
from bench.sqlbare import Query
from tests.bench.test_bench_smoke import generate


@pytest.fixture(autouse=True)
def own_connection(monkeypatch):
    """The bare app keeps one connection per process; each test here opens its own database."""
    monkeypatch.setattr(ListView, "connection", None)


@pytest.fixture
def table(tmp_path):
    db = tmp_path / "bare.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO items (name) VALUES (?)", [(f"item {i}",) for i in range(7)])
    return f"sqlite:///{db}"


def test_the_first_single_value_is_the_count_and_a_later_one_a_lookup(table):
    queries = [("SELECT count(*) FROM items", []),
               ("SELECT id, name FROM items ORDER BY name LIMIT 3", []),
               ("SELECT count(*) FROM items WHERE id > 5", [])]  # a lookup, as the licence line's seats
    page = ListView(table, "items", queries, ["name"])(None)
    assert page["total"] == 7
    assert [row[1] for row in page["rows"]] == ["item 0", "item 1", "item 2"]


def test_a_page_that_looks_one_row_ahead_shows_a_page_of_rows(tmp_path):
    db = tmp_path / "ahead.sqlite"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT)")
        conn.executemany("INSERT INTO items (name) VALUES (?)", [(f"item {i:03d}",) for i in range(80)])
    # A search's page: no count, its rows and one more (the portal's pager shows fifty of them).
    queries = [("SELECT id, name FROM items ORDER BY name LIMIT 51 OFFSET 0", [])]
    page = ListView(f"sqlite:///{db}", "items", queries, ["name"])(None)
    assert [row[1] for row in page["rows"]] == [f"item {i:03d}" for i in range(50)] and page["total"] == 50


@pytest.mark.skipif(bool(os.environ.get("PORTAL_TEST_DB_URL")),
                    reason="the generator's own SQLite database: once, in the SQLite run")
def test_the_user_list_is_captured_with_its_licence_line(tmp_path):
    db = tmp_path / "bench.sqlite"
    generate(db, "--parties", "30")
    queries = runner.page_queries(f"sqlite:///{db}", runner.USERS, "bench-admin")
    assert all(isinstance(query, Query) for query in queries)
    counts = [query.sql for query in queries if query.sql.lstrip().lower().startswith("select count(")]
    assert len(counts) == 2, counts  # the pager's, and the seats the licence line counts
    assert "memberships" in counts[1] and "user_roles" in counts[1]
    rows = [query.sql for query in queries if " limit " in query.sql.lower() and query.sql not in counts]
    assert rows and "users.last_login_at" in rows[0]
