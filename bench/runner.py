"""``bench/run``: the portal against the bare tools doing the same work, in one run, as one table.

Every figure is a ratio measured in this run on this machine: absolute numbers
move with the hardware, ratios to the bare tool much less. Rows:

- list pages (staff party directory, admin user list, a big customer's
  requests, its document library, invoices and supply points) under gunicorn + wrk, against the same SQL run bare through the
  driver and a bare Pyramid app (bench/bare_app.py) running that SQL and
  rendering a Chameleon table;
- latency of the directory and the customer's request list as the tables grow
  (10,000 → 100,000 parties, and 1,000,000 with ``--big``), with the plans of
  each page's count and rows;
- XLSX export through the portal's service against bare xlsxwriter: time and
  the peak memory the export adds to its process;
- invoice PDFs: one invoice as the portal serves it against bare weasyprint
  writing the same HTML (bench/pdf_child.py), and a ZIP of many invoices
  against as many single PDFs, with the peak memory of the zipping process;
- outbox delivery: e-mails per second from the outbox to a local SMTP server
  (bench/outbox.py) against bare smtplib sending the same e-mails;
- memory: a gunicorn worker's RSS before and after 10,000 mixed requests (bench/worker_memory.py);
- integration (bench/api_import.py): a 10,000-record batch upsert through the API's upsert
  service, first send and unchanged re-send, in rows/s against the targets; a generated XLSX read
  by the import's reader, by openpyxl's read-only mode alone and by python-calamine, and imported
  by portal-import, at 10,000 and 100,000 rows, its peak memory compared between the two;
- what is not built yet, said so.

``--smoke`` does all of it on tiny SQLite data in a few minutes, to prove the
scripts work; its figures mean nothing. ``--only NAME[,NAME]`` runs some of the
sections (SECTIONS). Every run also writes its table to var/bench/last.json, to
compare runs; rows whose page's plan scans a big table whole say so (sqlbare.BIG_TABLE).
"""
import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.engine import make_url

from . import dbapi, generate, outbox, serve, sqlbare, worker_memory
from .generate import BIG_REQUESTS, PASSWORD

ROOT = serve.ROOT
INI = ROOT / "bench" / "bench.ini"
# Each run's table as JSON, to compare runs; a smoke run's figures mean nothing, so they go elsewhere.
LAST_JSON = ROOT / "var" / "bench" / "last.json"
SMOKE_JSON = ROOT / "var" / "bench" / "last-smoke.json"
PG_SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"  # --pg overrides
SEARCH = "energo"  # one trade in twenty: a search that fills a page at every size
DIRECTORY = "/p/?sort=name"
USERS = "/admin/users/?sort=login"
# A big customer's closed requests, newest first: the sort and state filter of views/requests.py,
# over a state with thousands of rows, so the page sorts and pages rather than lists a few.
REQUESTS = "requests/?sort=-created&state=closed"
# The big customer's document library, newest first: documents for every customer and its own,
# the staff-only, withdrawn and other parties' ones left out by the one visibility rule.
DOCUMENTS = "documents/?sort=-updated"
# The big customer's paid invoices, newest first (views/invoices.py's sort and state filter, with the
# totals of the filtered set the page sums in the database).
INVOICES = "invoices/?sort=-issued&state=paid"
# A page with the portal's layout and no list (the big customer's user's account): the floor under
# every list page, measured beside the bare user list (see list_pages).
ACCOUNT = "/account/"
# The big customer's supply points by address (views/points.py's default sort, with its contract's number).
SUPPLY_POINTS = "supply-points/?sort=address"
# The large data sets need parties, not as many contracts, users and items per party (their big
# customers file as many requests as at 10,000, so the request list compares like with like).
GROWN_SCALE = 0.25
NOT_BUILT = ["Registry import (XLSX upload → orders)"]
# The API entity of the batch upsert row, and the one the file import row loads (a flat one: a file's
# columns cannot carry an invoice's lines).
BATCH_ENTITY = "invoices"
IMPORT_ENTITY = "contracts"
BATCH_TARGETS = {"first send": 2000, "unchanged re-send": 5000}  # rows/s, on PostgreSQL
XLSX_ADDED_MIB = 8  # the most an export may add to its process, at any size ...
XLSX_GROWTH_MIB = 4  # ... and grow from a tenth of the rows to all of them
WORKER_REQUESTS = 10_000  # the memory row: requests a web worker serves between its two RSS readings
WORKER_GROWTH_MIB = 10  # the most its RSS may grow over them (a leak shows here)


@dataclass
class Row:
    measurement: str
    value: str = ""
    against: str = ""
    ratio: str = ""
    target: str = ""
    result: str = ""
    numbers: dict = field(default_factory=dict)  # portal, bare, ratio, unit unformatted, for last.json

    def flag(self, finding: str) -> None:
        """Add ``finding`` (a plan's sequential scan) to the row's result."""
        self.result = f"{self.result}; {finding}" if self.result else finding

    def to_json(self) -> dict:
        """The row for last.json: the figures as numbers where the row was measured as numbers, else as shown."""
        shown = {"portal": self.value, "bare": self.against, "ratio": self.ratio}
        figures = {key: self.numbers.get(key, text or None) for key, text in shown.items()}
        more = {key: value for key, value in self.numbers.items() if key not in (*shown, "unit")}
        return {"figure": self.measurement.strip(), **figures, "unit": self.numbers.get("unit", ""),
                "target": self.target, "result": self.result, **more}


COLUMNS = ("measurement", "value", "against", "ratio", "target", "result")  # as printed


@dataclass
class Report:
    """The one table bench/run prints, and the notes under it."""

    title: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    meta: dict = field(default_factory=dict)  # date, backend, sizes, sections, load average: for last.json

    def add(self, measurement, value=None, against=None, *, unit="", higher_is_better=False, target=None,
            limit=None) -> Row:
        """A row comparing ``value`` with ``against`` (and returned); ``limit`` is the ratio the target allows."""
        ratio = value / against if value is not None and against else None
        result = ""
        if limit is not None and ratio is not None:
            result = "ok" if (ratio >= limit if higher_is_better else ratio <= limit) else "SHORT"
        numbers = {key: round(n, 4) for key, n in (("portal", value), ("bare", against), ("ratio", ratio))
                   if isinstance(n, int | float)}
        self.rows.append(Row(measurement, _fmt(value, unit), _fmt(against, unit),
                             "" if ratio is None else f"{ratio:.2f}×", target or "", result,
                             dict(numbers, unit=unit.strip()) if numbers else {}))
        return self.rows[-1]

    def print(self, out=sys.stdout) -> None:
        header = Row("measurement", "portal", "bare / baseline", "ratio", "target", "result")
        rows = [header] + self.rows
        widths = [max(len(getattr(r, f)) for r in rows) for f in COLUMNS]
        print(self.title, file=out)
        for i, row in enumerate(rows):
            cells = [getattr(row, f) for f in COLUMNS]
            print(" | ".join(c.ljust(w) for c, w in zip(cells, widths)).rstrip(), file=out)
            if i == 0:
                print("-+-".join("-" * w for w in widths), file=out)
        for note in self.notes:
            print(note, file=out)

    def to_json(self) -> dict:
        """What last.json holds: the run's conditions, then each row's figures, then the notes."""
        return {"title": self.title, **self.meta, "rows": [row.to_json() for row in self.rows], "notes": self.notes}

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(json.dumps(self.to_json(), ensure_ascii=False, indent=1) + "\n")
        part.replace(path)


def _fmt(value, unit) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return (f"{value:,.0f}" if value >= 100 else f"{value:.2f}" if value < 10 else f"{value:.1f}") + unit


@dataclass
class Setup:
    """Where and how long to measure."""

    smoke: bool
    backend: str  # "postgresql" or "sqlite"
    parties: int
    sizes: list[int]
    xlsx_rows: tuple[int, int]
    seconds: float
    rounds: int
    workdir: Path
    pg_server: str = PG_SERVER

    def url(self, size: int) -> str:
        if self.backend == "postgresql":
            return f"{self.pg_server}/bench_p{size}"
        return f"sqlite:///{self.workdir}/bench-p{size}.sqlite"

    @property
    def main_url(self) -> str:
        """The data set of the list pages and of every section that reads one size."""
        return self.url(self.parties)


@dataclass(frozen=True)
class Section:
    """One part of the report: the ``Bench`` method that measures it, and the data sets it reads."""

    method: str
    reads: str  # "main" (the --parties set), "largest" or "all" (every size)
    about: str  # for --help

    def sizes(self, setup: Setup) -> set[int]:
        return {"main": {setup.parties}, "largest": {max(setup.sizes)}, "all": set(setup.sizes)}[self.reads]


# name -> section, in the order of the report (bench/run --only NAME[,NAME] runs some of them).
SECTIONS = {
    "lists": Section("list_pages", "main", "list pages under wrk against bare Pyramid and their SQL bare"),
    "growth": Section("growth", "all", "list pages' p50 as the tables grow, with their plans"),
    "xlsx": Section("xlsx", "largest", "XLSX export against bare xlsxwriter: time, memory it adds"),
    "pdf": Section("pdfs", "main", "invoice PDF and ZIP against bare weasyprint"),
    "outbox": Section("outbox", "main", "outbox delivery against bare smtplib"),
    "memory": Section("memory", "main", "a web worker's RSS before and after mixed requests"),
    "api": Section("batch_upsert", "main", "the API's batch upsert, first send and unchanged re-send"),
    "import": Section("file_import", "main", "XLSX reading and portal-import of a file"),
}


def prepare(setup: Setup, size: int, log) -> str:
    """The database of ``size`` benchmark parties: created, migrated and filled if need be."""
    from portal.scripts.common import load_settings

    url = setup.url(size)
    if setup.backend == "postgresql":
        name = make_url(url).database
        with dbapi.connect(setup.pg_server + "/postgres") as conn:
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    log(f"data: {size:,} parties in {url}")
    settings = dict(load_settings(str(INI)), **{"sqlalchemy.url": url})
    generate.migrate(str(INI), settings)
    # Every size's big customers file as many requests, so its request list compares like with like.
    generate.generate(settings, size, scale=1.0 if size <= setup.parties else GROWN_SCALE,
                      big_requests=BIG_REQUESTS, log=lambda line: None)
    return url


def customer_page(url: str) -> tuple[str, str]:
    """The big customer's request list and the login of one of its users."""
    from portal.db import get_engine, get_session_factory

    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db:
            party_id, login = generate.big_customer(db)
    finally:
        engine.dispose()
    return f"/p/{party_id}/{REQUESTS}", login


def request_list_queries(url: str, path: str, login=None) -> list[sqlbare.Query]:
    """The SQL of the request list view for ``path`` (types, count, rows), captured from the view itself.

    The view runs on the tree's own resources with a permissive test request:
    whatever the view and its pager do, the captured SQL is what the page runs
    after login and traversal.
    """
    from urllib.parse import parse_qsl, urlsplit

    from pyramid import testing

    from portal.db import get_engine, get_session_factory
    from portal.parties.models import Party
    from portal.parties.resources import PartyContainer, PartyResource
    from portal.requests.resources import RequestsContainer
    from portal.requests.views import RequestList
    from portal.scripts.common import load_settings

    parts = urlsplit(path)
    party_id = int(parts.path.split("/")[2])
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db, testing.testConfig(settings=load_settings(str(INI))) as config:
            config.testing_securitypolicy(permissive=True)
            context = RequestsContainer(PartyResource(db.get(Party, party_id), PartyContainer(None, db, config.registry)))
            request = testing.DummyRequest(params=dict(parse_qsl(parts.query)), dbsession=db)
            return sqlbare.capture(engine, lambda: RequestList(context, request).page())
    finally:
        engine.dispose()


def library_queries(url: str, path: str, login=None) -> list[sqlbare.Query]:
    """The SQL of a party's document library for ``path`` (count, rows, folders, tags), captured from
    the view itself as ``request_list_queries`` does."""
    from urllib.parse import parse_qsl, urlsplit
    from zoneinfo import ZoneInfo

    from pyramid import testing

    from portal.db import get_engine, get_session_factory
    from portal.documents.resources import PartyDocuments
    from portal.documents.views.library import Library
    from portal.parties.models import Party
    from portal.parties.resources import PartyContainer, PartyResource
    from portal.scripts.common import load_settings

    parts = urlsplit(path)
    party_id = int(parts.path.split("/")[2])
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db, testing.testConfig(settings=load_settings(str(INI))) as config:
            config.testing_securitypolicy(permissive=True)
            config.registry["portal_tz"] = ZoneInfo(config.registry.settings.get("portal.timezone", "UTC"))
            party = PartyResource(db.get(Party, party_id), PartyContainer(None, db, config.registry))
            request = testing.DummyRequest(params=dict(parse_qsl(parts.query)), dbsession=db)
            return sqlbare.capture(engine, lambda: Library(PartyDocuments(party), request).page())
    finally:
        engine.dispose()


def invoice_list_queries(url: str, path: str, login=None) -> list[sqlbare.Query]:
    """The SQL of a party's invoice list for ``path`` (contracts, count, rows, totals), captured from
    the view itself as ``request_list_queries`` does."""
    from urllib.parse import parse_qsl, urlsplit
    from zoneinfo import ZoneInfo

    from pyramid import testing

    from portal.db import get_engine, get_session_factory
    from portal.finance.resources import InvoicesContainer
    from portal.finance.views.invoices import InvoiceList
    from portal.parties.models import Party
    from portal.parties.resources import PartyContainer, PartyResource
    from portal.scripts.common import load_settings

    parts = urlsplit(path)
    party_id = int(parts.path.split("/")[2])
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db, testing.testConfig(settings=load_settings(str(INI))) as config:
            config.testing_securitypolicy(permissive=True)
            config.registry["portal_tz"] = ZoneInfo(config.registry.settings.get("portal.timezone", "UTC"))
            party = PartyResource(db.get(Party, party_id), PartyContainer(None, db, config.registry))
            request = testing.DummyRequest(params=dict(parse_qsl(parts.query)), dbsession=db)
            return sqlbare.capture(engine, lambda: InvoiceList(InvoicesContainer(party), request).page())
    finally:
        engine.dispose()


def supply_point_list_queries(url: str, path: str, login=None) -> list[sqlbare.Query]:
    """The SQL of a party's supply point list for ``path`` (count, rows), captured from the view itself
    as ``request_list_queries`` does."""
    from urllib.parse import parse_qsl, urlsplit

    from pyramid import testing

    from portal.db import get_engine, get_session_factory
    from portal.parties.models import Party
    from portal.parties.resources import PartyContainer, PartyResource
    from portal.scripts.common import load_settings
    from portal.utility.resources import SupplyPointsContainer
    from portal.utility.views.points import SupplyPointList

    parts = urlsplit(path)
    party_id = int(parts.path.split("/")[2])
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db, testing.testConfig(settings=load_settings(str(INI))) as config:
            config.testing_securitypolicy(permissive=True)
            party = PartyResource(db.get(Party, party_id), PartyContainer(None, db, config.registry))
            request = testing.DummyRequest(params=dict(parse_qsl(parts.query)), dbsession=db)
            return sqlbare.capture(engine, lambda: SupplyPointList(SupplyPointsContainer(party), request).page())
    finally:
        engine.dispose()


def page_queries(url: str, path: str, login: str) -> list[sqlbare.Query]:
    """The SQL of the directory or the admin user list for ``login``, captured from the view's whole page
    as ``request_list_queries`` does: its count, its rows and any lookup it makes (the user list's
    licence line counts the seats taken)."""
    from urllib.parse import parse_qsl, urlsplit

    from pyramid import testing

    from portal.admin.resources import AdminArea, UsersContainer
    from portal.admin.views.users import UserList
    from portal.db import get_engine, get_session_factory
    from portal.identity.auth import load_identity
    from portal.identity.models import User
    from portal.parties.licence import LIMIT_SETTING, parse_limit
    from portal.parties.resources import PartyContainer
    from portal.parties.views import PartyDirectory
    from portal.root import Root
    from portal.scripts.common import load_settings

    parts = urlsplit(path)
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db, testing.testConfig(settings=load_settings(str(INI))) as config:
            config.registry[LIMIT_SETTING] = parse_limit(config.get_settings())  # read at start by the app
            identity = load_identity(db, db.scalars(select(User).where(User.login == login)).one())
            # The login the bench uses may do everything the page asks of it.
            config.testing_securitypolicy(userid=identity.user.id, identity=identity, permissive=True)
            request = testing.DummyRequest(params=dict(parse_qsl(parts.query)), dbsession=db)
            root = Root(request)
            if parts.path == "/p/":
                view = PartyDirectory(PartyContainer(root), request)
            else:
                view = UserList(UsersContainer(AdminArea(root)), request)
            return sqlbare.capture(engine, view.page)
    finally:
        engine.dispose()


@dataclass
class ListPage:
    """One list page measured: its URL, who loads it, what the bare table shows, and its SQL."""

    path: str
    login: str
    columns: list[str]
    labels: dict = field(default_factory=dict)  # column -> the lookup column that names its value
    capture: object = page_queries  # (url, path, login) -> the page's SQL, from the portal's code
    queries: list = field(default_factory=list)


def request_counts(url: str, requests_path: str) -> str:
    """How many requests the database holds, and how many of them the measured customer's (for the notes)."""
    party_id = int(requests_path.split("/")[2])
    with contextlib.closing(dbapi.connect(url)) as conn:
        cursor = conn.cursor()
        cursor.execute("SELECT count(*) FROM customer_requests")
        (total,) = cursor.fetchone()
        cursor.execute(f"SELECT count(*), count(CASE WHEN state = 'closed' THEN 1 END) FROM customer_requests"
                       f" WHERE party_id = {party_id}")
        mine, closed = cursor.fetchone()
    return f"{total:,} in all; the measured customer's {mine:,}, of them closed {closed:,}"


def export_sql(url: str, rows: int) -> str:
    """The statement the portal's directory export runs, compiled for the bare exporter."""
    from types import SimpleNamespace

    from portal.db import get_engine, get_session_factory
    from portal.identity.auth import load_identity
    from portal.identity.models import User
    from portal.parties.views import PartyDirectory

    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db:
            identity = load_identity(db, db.scalars(select(User).where(User.login == "bench-head")).one())
            request = SimpleNamespace(params={"sort": "name"}, identity=identity)
            statement = PartyDirectory(None, request).listed().limit(rows)
            return str(statement.compile(engine, compile_kwargs={"literal_binds": True}))
    finally:
        engine.dispose()


class Bench:
    """Runs the measurements of one ``Setup`` and fills the report.

    Whatever is compared (portal and bare, or one page at two sizes) is served
    at the same time and measured in interleaved rounds, keeping each side's
    best round: other work on the machine then weighs on both sides alike.
    """

    def __init__(self, setup: Setup, log):
        self.setup = setup
        self.log = log
        rounds = setup.rounds
        self.budget = int(setup.seconds * rounds * 30 + 300)  # the longest a gunicorn may live
        self.servers = contextlib.ExitStack()  # what run() stops at its end
        self.portals = {}  # size -> its portal server
        backend = "PostgreSQL" if setup.backend == "postgresql" else "SQLite"
        self.report = Report(
            f"Portal benchmark{' (SMOKE: tiny data, figures mean nothing)' if setup.smoke else ''} — {backend}, "
            f"{setup.parties:,} parties, gunicorn {serve.WORKERS} sync workers, wrk -c{serve.CONNECTIONS}, "
            f"best of {rounds} interleaved {setup.seconds:g}-s rounds, {os.cpu_count()} cores"
        )

    def portal_server(self, url, workers=serve.WORKERS):
        return serve.Gunicorn(["--paste", str(INI)], env={"PORTAL_DB_URL": url}, max_seconds=self.budget,
                              log_path=self.setup.workdir / f"gunicorn-portal-{make_url(url).database.rsplit('/', 1)[-1]}.log",
                              workers=workers)

    def portal(self, size: int) -> serve.Gunicorn:
        """The portal served on the data set of ``size``, started on first use and kept for the run."""
        if size not in self.portals:
            self.portals[size] = self.servers.enter_context(self.portal_server(self.setup.url(size)))
        return self.portals[size]

    def bare_server(self, url, lists: dict):
        spec = {"db_url": url, "lists": {name: {"queries": [q.to_json() for q in page.queries],
                                                "columns": page.columns, "labels": page.labels}
                                         for name, page in lists.items()}}
        return serve.Gunicorn(["--chdir", str(ROOT), "bench.bare_app:make_app()"],
                              env={"BENCH_BARE_SPEC": json.dumps(spec)}, max_seconds=self.budget,
                              log_path=self.setup.workdir / "gunicorn-bare.log")

    def interleave(self, targets: dict, best, connections=serve.CONNECTIONS) -> dict:
        """``{key: (url, cookie)}`` loaded with wrk round after round; each key's best Load by ``best``.

        A short warm-up first: a worker's first requests compile templates and open connections.
        """
        for url, cookie in targets.values():
            serve.wrk(url, seconds=max(1, self.setup.seconds / 4), cookie=cookie, connections=connections)
        runs = {key: [] for key in targets}
        for _ in range(self.setup.rounds):
            for key, (url, cookie) in targets.items():
                runs[key].append(self.wrk_again_on_error(url, cookie, connections))
        return {key: best(loads) for key, loads in runs.items()}

    def wrk_again_on_error(self, url, cookie, connections):
        """A round that met errors is run once more: a database restart (the pool then
        reconnects) must not end a whole benchmark; a second failure does."""
        try:
            return serve.wrk(url, seconds=self.setup.seconds, cookie=cookie, connections=connections)
        except RuntimeError as error:
            self.log(f"round failed, running it again: {str(error).splitlines()[0]}")
            return serve.wrk(url, seconds=self.setup.seconds, cookie=cookie, connections=connections)

    # --- list pages ----------------------------------------------------------
    def list_pages_of(self, url: str) -> dict[str, ListPage]:
        """Each list measured, with its SQL captured from the portal's code."""
        requests_path, customer = customer_page(url)
        lists = {
            "parties": ListPage(f"{DIRECTORY}&q={SEARCH}", "bench-head", ["name", "tax_id", "address"]),
            "users": ListPage(USERS, "bench-admin", ["login", "last_name", "state", "last_login_at"]),
            "requests": ListPage(requests_path, customer, ["subject", "type_id", "state", "created_at", "due_at"],
                                 labels={"type_id": "code"}, capture=request_list_queries),
            "documents": ListPage(requests_path.replace(REQUESTS, DOCUMENTS), customer,
                                  ["title_en", "updated_at", "valid_to", "tags"], capture=library_queries),
            "invoices": ListPage(requests_path.replace(REQUESTS, INVOICES), customer,
                                 ["number", "issue_date", "due_date", "total_amount", "paid_amount"],
                                 capture=invoice_list_queries),
            "supply_points": ListPage(requests_path.replace(REQUESTS, SUPPLY_POINTS), customer,
                                      ["address", "medium", "tariff", "state", "external_id"],
                                      capture=supply_point_list_queries),
        }
        for page in lists.values():
            page.queries = page.capture(url, page.path, page.login)
        return lists

    def list_pages(self) -> None:
        url = self.setup.main_url
        lists = self.list_pages_of(url)
        portal = self.portal(self.setup.parties)
        bare = self.servers.enter_context(self.bare_server(url, lists))
        for name, page in lists.items():
            path, login = page.path, page.login
            cookie = serve.log_in(portal.base, login, PASSWORD)
            rows = serve.row_names(portal.base + path, cookie)
            if serve.row_names(f"{bare.base}/{name}/") != rows:
                raise RuntimeError(f"the bare {name} page does not list the portal's rows")
            self.log(f"load: portal {path} and bare Pyramid /{name}/")
            loads = self.interleave({"portal": (portal.base + path, cookie), "bare": (f"{bare.base}/{name}/", None)},
                                    best=lambda runs: max(runs, key=lambda load: load.rps))
            self.log(f"load: bare SQL of {path}")
            sql = sqlbare.bare_load(url, page.queries, seconds=self.setup.seconds)
            p, b = loads["portal"], loads["bare"]
            label = f"{path} ({len(rows)} rows)"
            rps = self.report.add(f"{label}: req/s vs bare Pyramid", p.rps, b.rps, higher_is_better=True,
                                  target="≥ 0.60×", limit=0.6)
            self.report.add(f"{label}: p50 vs bare Pyramid", p.p50_ms, b.p50_ms, unit=" ms")
            self.report.add(f"{label}: p99 vs bare Pyramid", p.p99_ms, b.p99_ms, unit=" ms",
                            target="≤ 2.00×", limit=2.0)
            self.report.add(f"{label}: req/s vs its SQL bare (driver)", p.rps, sql.rps, higher_is_better=True)
            plans = [sqlbare.explain(url, query) for query in page.queries]
            for finding in sqlbare.big_scans(plans):
                rps.flag(finding)
            if sqlbare.big_scans(plans):
                self.report.notes.extend(f"  plan of {path}, statement {i}: {plan.summary}"
                                         for i, plan in enumerate(plans, 1) if plan.big_scans())
        self.floor(portal, bare, lists["requests"].login)

    def floor(self, portal, bare, login) -> None:
        """The portal's page with no list (its layout, login, traversal and ACL alone) against the bare
        user list: a list page of the portal is slower than this page, so this ratio bounds theirs."""
        cookie = serve.log_in(portal.base, login, PASSWORD)
        self.log(f"load: portal {ACCOUNT} (no list) and bare Pyramid /users/")
        loads = self.interleave({"portal": (portal.base + ACCOUNT, cookie), "bare": (f"{bare.base}/users/", None)},
                                best=lambda runs: max(runs, key=lambda load: load.rps))
        p, b = loads["portal"], loads["bare"]
        self.report.add(f"{ACCOUNT} (layout, no list; bounds the rows above): req/s vs the bare user list",
                        p.rps, b.rps, higher_is_better=True)
        self.report.add(f"{ACCOUNT}: p50 vs the bare user list", p.p50_ms, b.p50_ms, unit=" ms")

    # --- growth --------------------------------------------------------------
    def growth(self) -> None:
        portals = {size: self.portal(size) for size in self.setup.sizes}
        sizes = sorted(portals)
        small = sizes[0]
        customers = {size: customer_page(self.setup.url(size)) for size in sizes}
        plans = {size: self.plans(self.setup.url(size), customers[size][0]) for size in sizes}
        # label -> {size: (path, login)}: the staff directory, and the big customer's requests at each size
        pages = {path: {size: (path, "bench-head") for size in sizes}
                 for path in (DIRECTORY, f"{DIRECTORY}&q={SEARCH}")}
        pages[customers[small][0]] = customers
        kinds = dict(zip(pages, ("plain", "search", "requests")))  # label -> its plans' kind
        cookies = {}
        for label, by_size in pages.items():
            for size, (_path, login) in by_size.items():
                if (size, login) not in cookies:
                    cookies[size, login] = serve.log_in(portals[size].base, login, PASSWORD)
            self.log(f"load: portal {label} at {', '.join(f'{s:,}' for s in sizes)} parties")
            # One connection per worker: nothing queues, so p50 is the page's own time.
            loads = self.interleave({size: (portals[size].base + path, cookies[size, login])
                                     for size, (path, login) in by_size.items()},
                                    best=lambda runs: min(runs, key=lambda load: load.p50_ms),
                                    connections=serve.WORKERS)
            for size in sizes[1:]:
                row = self.report.add(f"{label}: p50 at {size:,} vs {small:,} parties", loads[size].p50_ms,
                                      loads[small].p50_ms, unit=" ms", target="≤ 1.20×", limit=1.2)
                for finding in sqlbare.big_scans(plans[size][kinds[label]] + plans[small][kinds[label]]):
                    row.flag(finding)
                if loads[size].timeouts:
                    self.report.notes.append(f"  {label} at {size:,} parties: {loads[size].timeouts} requests"
                                             f" took over {serve.TIMEOUT_SECONDS} s; p50 is of those that finished")
        for size in sizes[1:]:
            for kind, (count, _page) in plans[size].items():
                if count is not None and plans[small][kind][0] is not None:
                    row = self.report.add(f"  its count(*) alone at {size:,} vs {small:,} parties ({kind})",
                                          count.ms, plans[small][kind][0].ms, unit=" ms")
                    for finding in sqlbare.big_scans([count, plans[small][kind][0]]):
                        row.flag(finding)
        for size in sizes:
            counted = request_counts(self.setup.url(size), customers[size][0])
            self.report.notes.append(f"  requests at {size:,} parties: {counted}")
        for size, by_kind in plans.items():
            for kind, (count, page) in by_kind.items():
                for name, plan in (("count: ", count), ("page:  ", page)):
                    if plan is not None:
                        flagged = "".join(f" [{finding}]" for finding in plan.big_scans())
                        self.report.notes.append(f"  plan at {size:,} parties, {kind}: {name}{plan.summary}{flagged}")

    def plans(self, url: str, requests_path: str) -> dict:
        """kind -> the plans of the page's count (None if it counts nothing) and of its rows; a sequential
        scan over a big table in either flags the page's rows (sqlbare.BIG_TABLE)."""
        statements = {kind: page_queries(url, path, "bench-head")
                      for kind, path in (("plain", DIRECTORY), ("search", f"{DIRECTORY}&q={SEARCH}"))}
        statements["requests"] = request_list_queries(url, requests_path)
        return {kind: [None if q is None else sqlbare.explain(url, q) for q in sqlbare.page_statements(queries)]
                for kind, queries in statements.items()}

    # --- XLSX ----------------------------------------------------------------
    def export(self, mode: str, url: str, rows: int, sql: str) -> dict:
        """One export in a child process; tried twice, since a database restart may cut the first."""
        self.log(f"xlsx: {mode}, {rows:,} rows")
        command = [sys.executable, "-m", "bench.xlsx_child", mode, url, str(rows)] + ([sql] if mode == "bare" else [])
        for attempt in (1, 2):
            out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=self.budget)
            if out.returncode == 0:
                break
            self.log(f"xlsx: {mode} failed (attempt {attempt}):\n{out.stderr[-2000:]}")
        else:
            raise RuntimeError(f"the {mode} export failed twice")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        if mode == "bare" and result["rows"] != rows:
            raise RuntimeError(f"the export database holds fewer than {rows:,} parties")
        return result

    def xlsx(self) -> None:
        url = self.setup.url(max(self.setup.sizes))
        small, large = self.setup.xlsx_rows
        sql = {rows: export_sql(url, rows) for rows in (small, large)}
        first = {mode: self.export(mode, url, small, sql[small]) for mode in ("portal", "bare")}
        runs = {"portal": [], "bare": []}
        for _ in range(self.setup.rounds):
            for mode in runs:
                runs[mode].append(self.export(mode, url, large, sql[large]))
        best = {mode: min(results, key=lambda r: r["seconds"]) for mode, results in runs.items()}
        # What the export adds to its process (VmHWM above the RSS before the first row): the interpreter and
        # the portal's imports before it weigh what they weigh in a web worker, which has them anyway.
        own = {mode: max(r["peak_kib"] - r["before_kib"] for r in results) / 1024 for mode, results in runs.items()}
        self.report.add(f"XLSX export, {large:,} rows: seconds vs bare xlsxwriter", best["portal"]["seconds"],
                        best["bare"]["seconds"], unit=" s", target="≤ 1.20×", limit=1.2)
        added = self.report.add(f"XLSX export, {large:,} rows: peak RSS the export added", own["portal"], own["bare"],
                                unit=" MiB", target=f"< {XLSX_ADDED_MIB} MiB")
        added.result = "ok" if own["portal"] < XLSX_ADDED_MIB else "SHORT"
        growth = {mode: own[mode] - (first[mode]["peak_kib"] - first[mode]["before_kib"]) / 1024 for mode in runs}
        self.report.rows.append(Row(f"XLSX peak RSS the export added, {small:,} → {large:,} rows",
                                    f"{growth['portal']:+.1f} MiB", f"{growth['bare']:+.1f} MiB", "",
                                    f"flat (< +{XLSX_GROWTH_MIB} MiB)",
                                    "ok" if growth["portal"] < XLSX_GROWTH_MIB else "SHORT",
                                    {"portal": round(growth["portal"], 2), "bare": round(growth["bare"], 2),
                                     "unit": "MiB"}))

    # --- memory ----------------------------------------------------------------
    def memory(self) -> None:
        """A web worker's RSS before and after WORKER_REQUESTS mixed requests (bench/worker_memory.py)."""
        url = self.setup.main_url
        count = 500 if self.setup.smoke else WORKER_REQUESTS
        requests_path, customer = customer_page(url)
        requests = worker_memory.mix(url, requests_path, customer, "bench-head", "bench-admin")
        self.log(f"memory: one gunicorn worker, {count:,} requests of a mix of {len(requests)}")
        with self.portal_server(url, workers=1) as server:
            cookies = {login: serve.log_in(server.base, login, PASSWORD) for login in {login for _, login in requests}}
            reading = worker_memory.measure(server, requests, cookies, count)
        growth = reading.growth_mib
        before, after = reading.before_kib / 1024, reading.after_kib / 1024
        self.report.rows.append(Row(
            f"Web worker RSS growth over {count:,} mixed requests (customer and staff pages)",
            f"{growth:+.1f} MiB ({before:.1f} → {after:.1f})", "", "", f"≤ +{WORKER_GROWTH_MIB} MiB",
            "ok" if growth <= WORKER_GROWTH_MIB else "SHORT",
            {"portal": round(growth, 2), "before": round(before, 2), "after": round(after, 2), "unit": "MiB"}))
        self.report.notes.append(f"  memory: one sync worker after a warm-up (the mix twice); {len(requests)} different"
                                 " pages (a big customer's home, lists, requests, invoices and three of their PDFs, threads; the staff"
                                 " directory and searches, parties and their requests; the admin user list)")

    # --- invoice PDFs ---------------------------------------------------------
    def pdf_child(self, *args) -> dict:
        self.log(f"pdf: {' '.join(str(a) for a in args if not str(a).startswith(('sqlite', 'postgresql')))}")
        command = [sys.executable, "-m", "bench.pdf_child", *map(str, args)]
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=self.budget)
        if out.returncode != 0:
            raise RuntimeError(f"bench.pdf_child {args[0]} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def pdfs(self) -> None:
        """One invoice's PDF against bare weasyprint on its HTML; a ZIP of many against as many singles."""
        url = self.setup.main_url
        rounds = 3 if self.setup.smoke else 12
        one = self.pdf_child("pdf", url, rounds)
        self.report.add("Invoice PDF through the portal: seconds vs bare weasyprint on the same HTML", one["portal"],
                        one["bare"], unit=" s", target="≤ 1.20×", limit=1.2)
        count = 10 if self.setup.smoke else 50
        many = self.pdf_child("zip", url, count, 1 if self.setup.smoke else 3)
        self.report.add(f"ZIP of {count} invoice PDFs, streamed: seconds vs {count} single PDFs", many["zip"],
                        many["singles"], unit=" s", target="≤ 1.20×", limit=1.2)
        growth = (many["peak_after_kib"] - many["peak_small_kib"]) / 1024
        added = (many["peak_after_kib"] - many["peak_before_kib"]) / 1024
        self.report.rows.append(Row(f"ZIP peak RSS, {max(1, count // 5)} → {count} PDFs", f"{growth:+.1f} MiB",
                                    f"{added:+.1f} MiB over one PDF", "", "flat", "ok" if growth < 8 else "SHORT"))
        self.report.notes.append(f"  pdf: an invoice of {one['bytes']:,} bytes from {one['html_bytes']:,} bytes of HTML"
                                 f" (bare weasyprint: {one['bare_bytes']:,} bytes); the ZIP of {count}:"
                                 f" {many['bytes']:,} bytes")

    def outbox(self) -> None:
        url = self.setup.main_url
        messages = 200 if self.setup.smoke else 2000
        self.log(f"outbox: {messages} e-mails to a local SMTP server, portal-worker's delivery vs bare smtplib")
        result = outbox.measure(url, messages, self.setup.rounds)
        self.report.add(f"Outbox delivery, {messages:,} e-mails to local SMTP: per second vs bare smtplib",
                        result["portal"], result["bare"], unit="/s", higher_is_better=True, target="≥ 0.50×",
                        limit=0.5)
        self.report.notes.append("  outbox: portal-worker claims batches of due rows (FOR UPDATE SKIP LOCKED and a lease),"
                                 " sends them on one SMTP connection and stores each one's outcome as the server"
                                 " answers (so a killed worker loses nothing and repeats one e-mail at most); bare"
                                 " smtplib sends the same e-mails from memory on one connection, no database")

    # --- integration: batch upserts and file imports ---------------------------
    def api_child(self, *args) -> dict:
        self.log(f"integration: {' '.join(str(a) for a in args if not str(a).startswith(('sqlite', 'postgresql')))}")
        command = [sys.executable, "-m", "bench.api_import", *map(str, args)]
        out = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=self.budget)
        if out.returncode != 0:
            raise RuntimeError(f"bench.api_import {args[0]} failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def batch_upsert(self) -> None:
        """10,000 records through the API's upsert service in its batches, then the same again."""
        url = self.setup.main_url
        rows = 500 if self.setup.smoke else 10_000
        result = self.api_child("batch", url, BATCH_ENTITY, rows)
        for label, key in (("first send", "first_seconds"), ("unchanged re-send", "again_seconds")):
            rate, target = rows / result[key], BATCH_TARGETS[label]
            self.report.rows.append(Row(f"API batch upsert, {rows:,} {BATCH_ENTITY}: rows/s, {label}", f"{rate:,.0f}/s",
                                        "", "", f"≥ {target:,}/s", "ok" if rate >= target else "SHORT"))
        self.report.notes.append(f"  batch upsert: {BATCH_ENTITY} in batches of the API's size, each committed, through"
                                 " api/services.py (validate, look up by the chunk, compare, a savepoint per chunk),"
                                 " in a process warmed up by one row first, as a running server is;"
                                 " the targets are PostgreSQL's")

    def file_import(self) -> None:
        """The same generated XLSX read by the import's reader, by openpyxl's read-only mode alone and by
        python-calamine, and imported by portal-import, at two sizes: rows/s, and whether the peak memory
        stays flat."""
        url = self.setup.main_url
        small, large = (200, 2000) if self.setup.smoke else (10_000, 100_000)
        paths = {n: self.setup.workdir / f"bench-import-{n}.xlsx" for n in (small, large)}
        for n, path in paths.items():
            self.api_child("file", path, n, url)
        readers = ("import", "openpyxl", "calamine")
        read = {(reader, n): self.api_child("read", reader, paths[n]) for n in (small, large) for reader in readers}
        imported = {n: self.api_child("import", url, IMPORT_ENTITY, paths[n]) for n in (small, large)}
        for path in paths.values():
            for leftover in (path, f"{path}.report.csv", f"{path}.mapping.json"):
                Path(leftover).unlink(missing_ok=True)
        rate = {key: r["rows"] / r["seconds"] for key, r in read.items()}
        added = {key: (r["peak_kib"] - r["before_kib"]) / 1024 for key, r in read.items()}
        for other in ("openpyxl", "calamine"):
            self.report.add(f"XLSX reading, {large:,} rows: rows/s, the import's reader vs {other}",
                            rate["import", large], rate[other, large], unit="/s", higher_is_better=True)
        for reader in readers:
            self.report.rows.append(Row(f"XLSX reading, memory added at {small:,} → {large:,} rows: {reader}",
                                        f"{added[reader, small]:.1f} → {added[reader, large]:.1f} MiB"))
        rows_per_second = imported[large]["rows"] / imported[large]["seconds"]
        self.report.add(f"portal-import, {large:,} {IMPORT_ENTITY} from XLSX: rows/s vs reading the file alone",
                        rows_per_second, rate["import", large], unit="/s", higher_is_better=True)
        peak = {n: r["peak_kib"] / 1024 for n, r in imported.items()}
        self.report.add(f"portal-import peak RSS, {large:,} vs {small:,} rows", peak[large], peak[small], unit=" MiB",
                        target="≤ 1.20× (flat)", limit=1.2)
        self.report.notes.append(f"  import: {small:,} and {large:,} {IMPORT_ENTITY} with 1C's column titles through a mapping,"
                                 " batches each committed, a report line per row")

    def run(self, names=tuple(SECTIONS)) -> Report:
        """The sections ``names`` (all by default), in the table's order."""
        load_before = os.getloadavg()[0]
        with self.servers:
            # The portals the list pages and growth load boot side by side; each is waited for on first use.
            for size in set().union(*(SECTIONS[name].sizes(self.setup) for name in names
                                      if name in ("lists", "growth"))):
                self.portal(size)
            for name, section in SECTIONS.items():
                if name in names:
                    getattr(self, section.method)()
        if set(names) == set(SECTIONS):
            for name in NOT_BUILT:
                self.report.rows.append(Row(name, "not built yet"))
        load_after = os.getloadavg()[0]
        self.report.meta.update(sections=[name for name in SECTIONS if name in names],
                                load_average={"start": round(load_before, 2), "end": round(load_after, 2)})
        self.report.notes.insert(0, f"  load average (1 min) at start {load_before:.1f}, at end {load_after:.1f}"
                                    f" on {os.cpu_count()} cores"
                                    + ("; plans below are EXPLAIN ANALYZE of each page's count and rows"
                                       if "growth" in names else ""))
        return self.report


def _out_of_time(signum, frame):
    # Raised in the main thread: the servers' context managers stop them on the way out.
    raise TimeoutError("bench/run ran out of time (--max-minutes)")


def pg_reachable(server: str) -> bool:
    try:
        dbapi.connect(server + "/postgres").close()
        return True
    except Exception:
        return False


def sections(text: str) -> list[str]:
    """``--only``'s value: section names, comma-separated, each one of SECTIONS."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in SECTIONS]
    if unknown or not names:
        raise argparse.ArgumentTypeError(f"unknown section {', '.join(map(repr, unknown)) or repr(text)};"
                                         f" the sections are {', '.join(SECTIONS)}")
    return names


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="bench/run", description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="sections (--only):\n" + "\n".join(f"  {name:8} {section.about}" for name, section in SECTIONS.items()))
    parser.add_argument("--smoke", action="store_true", help="tiny SQLite data, 1 s per figure: proves the scripts work")
    parser.add_argument("--big", action="store_true", help="also 1,000,000 parties (generated once: about 50 minutes, 13 GB on PostgreSQL)")
    parser.add_argument("--sqlite", action="store_true", help="SQLite even when PostgreSQL is reachable")
    parser.add_argument("--pg", default=PG_SERVER, metavar="URL",
                        help=f"the PostgreSQL server; databases bench_p<N> are made there ({PG_SERVER})")
    parser.add_argument("--parties", type=int, default=10_000, help="the list pages' data set (10,000)")
    parser.add_argument("--xlsx-rows", type=int, default=100_000, help="rows of the XLSX export (100,000)")
    parser.add_argument("--seconds", type=float, default=8, help="wrk's duration per round (8)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds per comparison; the best counts (3)")
    parser.add_argument("--max-minutes", type=float, default=60, help="give up after this long")
    parser.add_argument("--only", type=sections, metavar="NAME[,NAME]",
                        help=f"run only these sections: {', '.join(SECTIONS)} (all by default)")
    parser.add_argument("--json", type=Path, metavar="PATH",
                        help=f"where the table goes as JSON ({LAST_JSON.relative_to(ROOT)};"
                             f" {SMOKE_JSON.relative_to(ROOT)} with --smoke)")
    args = parser.parse_args(argv)
    names = args.only or list(SECTIONS)
    os.environ.pop("PORTAL_DB_URL", None)  # each server is given its database explicitly

    def log(line):
        print(f"[{time.strftime('%H:%M:%S')}] {line}", file=sys.stderr, flush=True)

    if not serve.ensure_wrk(log):
        print("wrk is not installed and could not be installed (apt-get install wrk)", file=sys.stderr)
        return 3
    signal.signal(signal.SIGALRM, _out_of_time)
    signal.alarm(int(args.max_minutes * 60))
    with tempfile.TemporaryDirectory(prefix="portal-bench-") as tmp:
        if args.smoke:
            setup = Setup(True, "sqlite", 200, [200, 2000], (500, 2000), 1, 1, Path(tmp))
        else:
            backend = "sqlite" if args.sqlite or not pg_reachable(args.pg) else "postgresql"
            workdir = ROOT / "var" if backend == "sqlite" else Path(tmp)
            sizes = sorted({args.parties, max(args.xlsx_rows, 100_000)} | ({1_000_000} if args.big else set()))
            setup = Setup(False, backend, args.parties, sizes, (args.xlsx_rows // 10, args.xlsx_rows),
                          args.seconds, args.rounds, workdir, args.pg)
        read = sorted(set().union(*(SECTIONS[name].sizes(setup) for name in names)))
        for size in read:
            prepare(setup, size, log)
        report = Bench(setup, log).run(names)
    signal.alarm(0)
    report.meta.update(date=time.strftime("%Y-%m-%dT%H:%M:%S%z"), backend=setup.backend, smoke=setup.smoke,
                       parties=setup.parties, sizes=read, cores=os.cpu_count())
    report.print()
    report.save(args.json or (SMOKE_JSON if setup.smoke else LAST_JSON))
    return 0


if __name__ == "__main__":
    sys.exit(main())
