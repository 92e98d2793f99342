"""The portal's own SQL, replayed bare through the database driver, and its query plans.

The statements are captured from the SQLAlchemy engine while the portal's code
builds a list page, so the bare run executes exactly the SQL the page runs (its
count and its page of rows), with no ORM, session or transaction manager.
"""
import contextlib
import json
import multiprocessing
import sqlite3
import time
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import event

from .dbapi import connect
from .serve import Load


@dataclass(frozen=True)
class Query:
    """One SQL statement as the driver received it: text and parameters."""

    sql: str
    params: object  # dict (psycopg) or list (sqlite3)

    def to_json(self):
        """[sql, params], a Decimal or a date among them as its text: the database reads an untyped
        literal as the type its place needs, as it did the portal's bound value."""
        if isinstance(self.params, dict):
            return [self.sql, {key: _plain(value) for key, value in self.params.items()}]
        return [self.sql, [_plain(value) for value in self.params]]


def _plain(value):
    return value.isoformat() if isinstance(value, date) else str(value) if isinstance(value, Decimal) else value


def capture(engine, work) -> list[Query]:
    """The statements ``work()`` sends through ``engine``, in order."""
    queries = []

    def record(conn, cursor, statement, parameters, context, executemany):
        params = dict(parameters) if isinstance(parameters, dict) else list(parameters or ())
        queries.append(Query(statement, params))

    event.listen(engine, "before_cursor_execute", record)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return queries


def page_statements(queries: list[Query]) -> tuple[Query | None, Query]:
    """Of a list page's statements, the pager's count (None if it counts nothing) and the page of rows.

    Told apart by what they are, not where they stand: a page's view may run a
    lookup before or after it (the request types), and the pager may count in any way;
    the page of rows is the one that is limited (LIMIT ... OFFSET).
    """
    counts = [q for q in queries if q.sql.lstrip().lower().startswith("select count(")]
    pages = [q for q in queries if q not in counts and " limit " in q.sql.lower()]
    return (counts[0] if counts else None), (pages[-1] if pages else queries[-1])


def run(cursor, queries) -> list:
    """Execute ``queries`` in order and fetch everything each returns; the last result."""
    rows = []
    for query in queries:
        cursor.execute(query.sql, query.params)
        rows = cursor.fetchall()
    return rows


def _loop(args):
    url, queries, seconds = args
    queries = [Query(*q) for q in json.loads(queries)]
    latencies = []
    with contextlib.closing(connect(url)) as conn:
        cursor = conn.cursor()
        run(cursor, queries)  # warm the connection and the plan
        deadline = time.perf_counter() + seconds
        while (start := time.perf_counter()) < deadline:
            run(cursor, queries)
            latencies.append(time.perf_counter() - start)
    return latencies


def bare_load(url: str, queries: list[Query], *, seconds: float, processes=2) -> Load:
    """``queries`` run back to back by ``processes`` connections (one per gunicorn worker)."""
    payload = json.dumps([q.to_json() for q in queries])
    # Forked: each child opens its own connection; nothing of the parent's is shared.
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        results = pool.map(_loop, [(url, payload, seconds)] * processes)
    latencies = sorted(t for result in results for t in result)
    return Load(
        rps=len(latencies) / seconds,
        p50_ms=percentile(latencies, 50) * 1000,
        p99_ms=percentile(latencies, 99) * 1000,
        requests=len(latencies),
    )


def percentile(sorted_values, pct) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(pct / 100 * len(sorted_values)) - 1))
    return sorted_values[index]


# A sequential scan reading more rows than this in a page's plan is flagged in the report: the page
# then reads a whole big table, and grows with it.
BIG_TABLE = 10_000


@dataclass(frozen=True)
class Plan:
    """How the database runs one statement: the plan's nodes, the indexes used, the time taken, and
    its sequential scans as (table, rows read)."""

    nodes: list[str]
    indexes: list[str]
    ms: float
    scans: tuple = ()

    @property
    def summary(self) -> str:
        using = f" using {', '.join(self.indexes)}" if self.indexes else ", no index"
        return f"{' > '.join(self.nodes)}{using}; {self.ms:.1f} ms"

    def big_scans(self, limit: int = BIG_TABLE) -> list[str]:
        """What the report says of each sequential scan over more than ``limit`` rows."""
        return big_scans([self], limit)


def big_scans(plans, limit: int = BIG_TABLE) -> list[str]:
    """The sequential scans over more than ``limit`` rows in ``plans`` (a None among them skipped), one
    per table (its most rows), as the report says them: "seq scan on customer_requests (219,183 rows)"."""
    most = {}
    for plan in plans:
        for table, rows in plan.scans if plan is not None else ():
            if rows > limit:
                most[table] = max(rows, most.get(table, 0))
    return [f"seq scan on {table} ({rows:,} rows)" for table, rows in most.items()]


def seq_scans(node: dict) -> list[tuple[str, int]]:
    """The sequential scans of a PostgreSQL plan (``EXPLAIN (FORMAT JSON)``'s "Plan") as (table, rows).

    Executed (``ANALYZE``), the rows a scan read: those it returned and those its filter removed,
    over all its loops (a scan under a LIMIT that stops early read few). Not executed, the planner's
    estimate of the rows it returns.
    """
    found = []
    if node["Node Type"] == "Seq Scan":
        if "Actual Rows" in node:
            rows = (node["Actual Rows"] + node.get("Rows Removed by Filter", 0)) * node.get("Actual Loops", 1)
        else:
            rows = node["Plan Rows"]
        found.append((node["Relation Name"], round(rows)))
    for child in node.get("Plans", ()):
        found += seq_scans(child)
    return found


def sqlite_scans(details: list[str]) -> list[str]:
    """The names SQLite's ``EXPLAIN QUERY PLAN`` scans whole ("SCAN t", not "SCAN t USING … INDEX"); some
    may be subqueries rather than tables. SQLite's plans count no rows: the caller counts the table's."""
    return [detail.split()[1] for detail in details
            if detail.startswith("SCAN ") and len(detail.split()) >= 2 and " USING " not in detail]


def explain(url: str, query: Query) -> Plan:
    """The plan of ``query``, executed once (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite)."""
    with contextlib.closing(connect(url)) as conn:
        cursor = conn.cursor()
        if isinstance(conn, sqlite3.Connection):
            cursor.execute("EXPLAIN QUERY PLAN " + query.sql, query.params)
            details = [row[-1] for row in cursor.fetchall()]
            start = time.perf_counter()
            run(cursor, [query])
            ms = (time.perf_counter() - start) * 1000
            indexes = [d.split(" INDEX ", 1)[1].split(" ")[0] for d in details if " INDEX " in d]
            tables = {name for (name,) in cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            scans = tuple((name, cursor.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
                          for name in sqlite_scans(details) if name in tables)
            return Plan(details, indexes, ms, scans)
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + query.sql, query.params)
        (document,) = cursor.fetchone()
        document = json.loads(document) if isinstance(document, str) else document
        nodes, indexes = [], []
        _walk(document[0]["Plan"], nodes, indexes)
        return Plan(nodes, indexes, document[0]["Execution Time"], tuple(seq_scans(document[0]["Plan"])))


def _walk(node, nodes, indexes) -> None:
    nodes.append(node["Node Type"])
    if "Index Name" in node:
        indexes.append(node["Index Name"])
    for child in node.get("Plans", ()):
        _walk(child, nodes, indexes)
