"""The benchmark scripts still work: the generator on SQLite, and ``bench/run --smoke`` end to end (all
of it, and some sections with ``--only``), its table printed and written to JSON.

Figures are not judged (that is the benchmark's job, never a test's); what is
checked is that every row of the table is measured and printed, with figures
that are figures (positive, finite, a ratio within reason).
"""
import json
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench import generate as bench_generate
from bench.serve import ensure_wrk
from portal.changes.workflow import CHANGE_REQUEST
from portal.messages.workflow import MESSAGE
from portal.requests.workflow import REQUEST
from portal.tickets.workflow import SERVICE_TICKET
from portal.workflows.kinds import work_kinds
from tests.factories import app_registry

ROOT = Path(__file__).resolve().parents[2]
# The smoke measures on SQLite databases of its own whatever the suite's database is: a run of the
# suite on PostgreSQL would repeat it exactly, for four minutes of CI.
pytestmark = pytest.mark.skipif(bool(os.environ.get("PORTAL_TEST_DB_URL")),
                                reason="the bench smoke runs its own SQLite databases: once, in the SQLite run")
NUMBER = r"[\d,.]+"
# workflow -> the table of its items, for the history checks
ITEM_TABLES = {REQUEST.name: "customer_requests", SERVICE_TICKET.name: "service_tickets",
               CHANGE_REQUEST.name: "change_requests", MESSAGE.name: "messages"}


def clean_env():
    env = dict(os.environ, PYTHON=sys.executable)
    env.pop("PORTAL_DB_URL", None)  # the scripts are told their databases explicitly
    return env


def generate(db, *args):
    done = subprocess.run([sys.executable, "bench/generate.py", "bench/bench.ini", "--db-url", f"sqlite:///{db}", *args],
                          cwd=ROOT, env=clean_env(), capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]


def counts(db):
    with sqlite3.connect(db) as conn:
        one = lambda sql: conn.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "parties": one("SELECT count(*) FROM parties WHERE external_id LIKE 'BENCH-P%'"),
            "in_holding": one("SELECT count(*) FROM parties WHERE parent_id IS NOT NULL"),
            "contracts": one("SELECT count(*) FROM contracts"),
            "users": one("SELECT count(*) FROM users WHERE login LIKE 'bench-%'"),
            "memberships": one("SELECT count(*) FROM memberships"),
            "assigned": one("SELECT count(*) FROM manager_assignments"),
            "staff": one("SELECT count(*) FROM user_roles"),
            "first_id": one("SELECT id FROM parties WHERE external_id = 'BENCH-P0000000'"),
            "requests": one("SELECT count(*) FROM customer_requests"),
            "big_customer": one("SELECT count(*) FROM customer_requests r JOIN parties p ON p.id = r.party_id"
                                " WHERE p.external_id = 'BENCH-P0000010'"),
            "tickets": one("SELECT count(*) FROM service_tickets"),
            "changes": one("SELECT count(*) FROM change_requests"),
            "threads": one("SELECT count(*) FROM message_threads"),
            "messages": one("SELECT count(*) FROM messages"),
            "receipts": one("SELECT count(*) FROM message_receipts"),
            "history": one("SELECT count(*) FROM workflow_history"),
            "types": one("SELECT count(*) FROM request_types"),
            "invoices": one("SELECT count(*) FROM invoices"),
            "invoice_lines": one("SELECT count(*) FROM invoice_lines"),
            "supply_points": one("SELECT count(*) FROM supply_points"),
        }


def states(db, table):
    with sqlite3.connect(db) as conn:
        return {state for (state,) in conn.execute(f"SELECT DISTINCT state FROM {table}")}


def inconsistent_items(db):
    """Items whose state is not where their history ends, or whose version is not one per change;
    history rows whose item is gone."""
    found = {}
    with sqlite3.connect(db) as conn:
        for workflow, table in ITEM_TABLES.items():
            history = f"workflow_history h WHERE h.workflow = '{workflow}' AND h.item_id = i.id"
            last = f"SELECT h.to_state FROM {history} ORDER BY h.at DESC, h.id DESC LIMIT 1"
            found[workflow] = conn.execute(
                f"SELECT count(*) FROM {table} i WHERE i.version != (SELECT count(*) FROM {history})"
                f" OR i.state != ({last})").fetchone()[0]
            found[workflow + " orphans"] = conn.execute(
                f"SELECT count(*) FROM workflow_history h WHERE h.workflow = '{workflow}'"
                f" AND NOT EXISTS (SELECT 1 FROM {table} i WHERE i.id = h.item_id)").fetchone()[0]
    return {name: n for name, n in found.items() if n}


def test_generator_fills_grows_is_idempotent_and_resets(tmp_path):
    db = tmp_path / "bench.sqlite"
    generate(db, "--parties", "60")  # the command line, migrations included
    first = counts(db)
    assert first["parties"] == 60 and first["assigned"] == 60
    assert first["in_holding"] == 12  # four members in each group of 25: 1-4, 26-29, 51-54
    assert first["contracts"] >= 60 and first["memberships"] >= 12
    assert first["staff"] == 5  # admin, back office, service, head, one manager
    assert first["big_customer"] == 2000 and first["requests"] > 2000 + 60 * 10
    assert first["tickets"] > 60 and first["changes"] > 20 and first["types"] == 4
    assert first["invoices"] >= 1200 + 59 and first["invoice_lines"] == 2 * first["invoices"]
    assert first["supply_points"] >= 400 + 59  # a big customer's few hundred, at least one for every other
    assert first["messages"] > first["threads"] > 60 and first["receipts"] > first["threads"]
    for workflow, table in ITEM_TABLES.items():  # every state of every workflow
        assert states(db, table) == set(work_kinds(app_registry())[workflow].workflow.states), workflow
    assert inconsistent_items(db) == {}
    settings = {"sqlalchemy.url": f"sqlite:///{db}", "portal.argon2.time_cost": "1",
                "portal.argon2.memory_cost": "8", "portal.argon2.parallelism": "1"}
    assert bench_generate.generate(settings, 85) == 25
    grown = counts(db)
    assert grown["parties"] == 85 and grown["in_holding"] == 16 and grown["first_id"] == first["first_id"]
    assert grown["contracts"] > first["contracts"] and grown["users"] > first["users"]
    assert grown["requests"] > first["requests"] and grown["history"] > first["history"]
    assert grown["invoices"] > first["invoices"]
    assert grown["big_customer"] == first["big_customer"] and grown["types"] == 4
    assert bench_generate.generate(settings, 85) == 0
    assert counts(db) == grown
    bench_generate.generate(settings, 30, do_reset=True)
    reset = counts(db)
    assert reset["parties"] == 30 and reset["assigned"] == 30 and reset["in_holding"] == 8
    assert reset["users"] < grown["users"] and reset["contracts"] < first["contracts"]
    assert reset["requests"] < first["requests"] and reset["threads"] < first["threads"] and reset["types"] == 4
    assert reset["invoices"] < first["invoices"] and reset["invoice_lines"] == 2 * reset["invoices"]
    assert inconsistent_items(db) == {}  # the history of removed items went with them


def test_a_domain_added_later_fills_in_for_the_parties_there_are(tmp_path):
    """A data set made before the workflow items existed gets them on the next run, as a fresh one would."""
    db = tmp_path / "bench.sqlite"
    generate(db, "--parties", "40")
    made = counts(db)
    with sqlite3.connect(db) as conn:  # as if the item domains had not been written yet
        conn.execute("PRAGMA foreign_keys = ON")
        for table in ("workflow_history", "customer_requests", "service_tickets", "change_requests",
                      "message_threads", "invoices", "supply_points"):
            conn.execute(f"DELETE FROM {table}")
    generate(db, "--parties", "40")
    assert counts(db) == made
    assert inconsistent_items(db) == {}


@pytest.fixture(scope="module")
def wrk():
    path = ensure_wrk(log=lambda line: None)
    if path is None:
        pytest.skip("wrk is not installed and could not be installed from Debian's packages (apt-get install wrk)")
    return path


def run_bench(*args, timeout=300):
    return subprocess.run(["bash", "bench/run", *args], cwd=ROOT, env=clean_env(), capture_output=True, text=True,
                          timeout=timeout)


def printed_rows(table: str) -> list[str]:
    """The measurement of each row of the printed table (between its rule and the notes)."""
    lines = table.splitlines()
    rule = next(i for i, line in enumerate(lines) if line.startswith("---"))
    return [line.split(" | ")[0].strip() for line in lines[rule + 1:] if " | " in line]


def test_smoke_run_measures_every_row(wrk, tmp_path):
    done = run_bench("--smoke", "--json", str(tmp_path / "last.json"))
    assert done.returncode == 0, done.stderr[-5000:]
    table = done.stdout
    assert table.startswith("Portal benchmark (SMOKE")
    requests = r"/p/\d+/requests/\?sort=-created&state=closed"
    documents = r"/p/\d+/documents/\?sort=-updated"
    invoices = r"/p/\d+/invoices/\?sort=-issued&state=paid"
    measured = [
        r"/p/\?sort=name&q=energo \(\d+ rows\): req/s vs bare Pyramid",
        r"/p/\?sort=name&q=energo \(\d+ rows\): p99 vs bare Pyramid",
        r"/p/\?sort=name&q=energo \(\d+ rows\): req/s vs its SQL bare",
        r"/admin/users/\?sort=login \(50 rows\): req/s vs bare Pyramid",
        r"/admin/users/\?sort=login \(50 rows\): p99 vs bare Pyramid",
        requests + r" \(50 rows\): req/s vs bare Pyramid",
        requests + r" \(50 rows\): p50 vs bare Pyramid",
        requests + r" \(50 rows\): p99 vs bare Pyramid",
        requests + r" \(50 rows\): req/s vs its SQL bare",
        documents + r" \(50 rows\): req/s vs bare Pyramid",
        documents + r" \(50 rows\): p99 vs bare Pyramid",
        documents + r" \(50 rows\): req/s vs its SQL bare",
        invoices + r" \(50 rows\): req/s vs bare Pyramid",
        invoices + r" \(50 rows\): p99 vs bare Pyramid",
        invoices + r" \(50 rows\): req/s vs its SQL bare",
        r"/account/ \(layout, no list; bounds the rows above\): req/s vs the bare user list",
        r"Invoice PDF through the portal: seconds vs bare weasyprint on the same HTML",
        r"ZIP of 10 invoice PDFs, streamed: seconds vs 10 single PDFs",
        r"/p/\?sort=name: p50 at 2,000 vs 200 parties",
        r"/p/\?sort=name&q=energo: p50 at 2,000 vs 200 parties",
        requests + r": p50 at 2,000 vs 200 parties",
        r"/p/\d+/supply-points/\?sort=address \(\d+ rows\): req/s vs bare Pyramid",
        r"/p/\d+/supply-points/\?sort=address \(\d+ rows\): p99 vs bare Pyramid",
        r"XLSX export, 2,000 rows: seconds vs bare xlsxwriter",
        r"XLSX export, 2,000 rows: peak RSS the export added",
        r"Outbox delivery, 200 e-mails to local SMTP: per second vs bare smtplib",
        r"XLSX reading, 2,000 rows: rows/s, the import's reader vs openpyxl",
        r"XLSX reading, 2,000 rows: rows/s, the import's reader vs calamine",
        r"portal-import, 2,000 contracts from XLSX: rows/s vs reading the file alone",
        r"portal-import peak RSS, 2,000 vs 200 rows",
    ]
    for label in measured:
        found = re.search(label + rf"[^|\n]*\| ({NUMBER})[^|]*\| ({NUMBER})[^|]*\| ({NUMBER})×", table)
        assert found, label
        portal, bare, ratio = (float(n.replace(",", "")) for n in found.groups())
        assert portal > 0 and bare > 0 and 0.001 < ratio < 1000, found.group(0)
    # The customer's page: the portal is not faster than the bare page nor a hundred times slower.
    rps = re.search(requests + rf" \(50 rows\): req/s vs bare Pyramid[^|\n]*\| ({NUMBER})[^|]*\| ({NUMBER})", table)
    portal, bare = (float(n.replace(",", "")) for n in rps.groups())
    assert bare / 100 < portal < bare * 1.5, rps.group(0)
    for name in ("Registry import",):
        assert re.search(rf"{name}[^\n|]*\| not built yet", table), name
    for send in ("first send", "unchanged re-send"):  # absolute targets: rows/s alone
        assert re.search(rf"API batch upsert, 500 invoices: rows/s, {send} *\| *{NUMBER}/s", table), send
    assert re.search(r"ZIP peak RSS, 2 → 10 PDFs *\| *[+-][\d.]+ MiB", table)
    assert "using ix_parties_name" in table  # the plan of the sorted page is printed and uses the index
    assert "requests: page:  SEARCH customer_requests USING INDEX ix_customer_requests_party_id_state" in table
    assert "peak RSS of the whole process" not in table  # retired: it weighed the imports, not the export
    assert re.search(r"Web worker RSS growth over 500 mixed requests[^|\n]*\| [+-][\d.]+ MiB \([\d.]+ → [\d.]+\)",
                     table)
    # The same table as JSON, each printed row a row there, with its figures as numbers.
    saved = json.loads((tmp_path / "last.json").read_text())
    assert saved["backend"] == "sqlite" and saved["smoke"] is True and saved["sizes"] == [200, 2000]
    assert saved["sections"] == ["lists", "growth", "xlsx", "pdf", "outbox", "memory", "api", "import"]
    assert set(saved["load_average"]) == {"start", "end"} and saved["date"].startswith("20")
    assert [row["figure"] for row in saved["rows"]] == printed_rows(table)
    outbox = next(row for row in saved["rows"] if row["figure"].startswith("Outbox delivery"))
    assert outbox["portal"] > 0 and outbox["bare"] > 0 and outbox["unit"] == "/s"
    assert abs(outbox["ratio"] - outbox["portal"] / outbox["bare"]) < 0.01
    memory = next(row for row in saved["rows"] if row["figure"].startswith("Web worker RSS"))
    assert memory["after"] - memory["before"] == pytest.approx(memory["portal"], abs=0.02)
    assert memory["result"] in ("ok", "SHORT") and memory["target"] == "≤ +10 MiB"


def test_only_runs_the_sections_named(wrk, tmp_path):
    done = run_bench("--smoke", "--only", "outbox,memory", "--json", str(tmp_path / "only.json"))
    assert done.returncode == 0, done.stderr[-5000:]
    rows = printed_rows(done.stdout)
    assert len(rows) == 2 and rows[0].startswith("Outbox delivery") and rows[1].startswith("Web worker RSS")
    saved = json.loads((tmp_path / "only.json").read_text())
    assert saved["sections"] == ["outbox", "memory"] and saved["sizes"] == [200]
    assert [row["figure"] for row in saved["rows"]] == rows


@pytest.mark.parametrize("only", ["outbox,nosuch", "", "pdfs"])
def test_an_unknown_section_is_an_error_that_names_the_sections(only, tmp_path):
    done = run_bench("--smoke", "--only", only, "--json", str(tmp_path / "never.json"), timeout=60)
    assert done.returncode == 2
    assert "unknown section" in done.stderr and "lists, growth, xlsx, pdf, outbox, memory, api, import" in done.stderr
    assert done.stdout == "" and not (tmp_path / "never.json").exists()
