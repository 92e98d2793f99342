"""The benchmark scripts still work: the generator on SQLite, and ``bench/run --smoke`` end to end.

Figures are not checked (that is the benchmark's job, never a test's); what is
checked is that every row of the table is measured and printed.
"""
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from bench import generate as bench_generate
from bench.serve import ensure_wrk

ROOT = Path(__file__).resolve().parents[2]
NUMBER = r"[\d,.]+"


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
        }


def test_generator_fills_grows_is_idempotent_and_resets(tmp_path):
    db = tmp_path / "bench.sqlite"
    generate(db, "--parties", "60")  # the command line, migrations included
    first = counts(db)
    assert first["parties"] == 60 and first["assigned"] == 60
    assert first["in_holding"] == 12  # four members in each group of 25: 1-4, 26-29, 51-54
    assert first["contracts"] >= 60 and first["memberships"] >= 12
    assert first["staff"] == 5  # admin, back office, service, head, one manager
    settings = {"sqlalchemy.url": f"sqlite:///{db}", "portal.argon2.time_cost": "1",
                "portal.argon2.memory_cost": "8", "portal.argon2.parallelism": "1"}
    assert bench_generate.generate(settings, 85) == 25
    grown = counts(db)
    assert grown["parties"] == 85 and grown["in_holding"] == 16 and grown["first_id"] == first["first_id"]
    assert grown["contracts"] > first["contracts"] and grown["users"] > first["users"]
    assert bench_generate.generate(settings, 85) == 0
    assert counts(db) == grown
    bench_generate.generate(settings, 30, do_reset=True)
    reset = counts(db)
    assert reset["parties"] == 30 and reset["assigned"] == 30 and reset["in_holding"] == 8
    assert reset["users"] < grown["users"] and reset["contracts"] < first["contracts"]


@pytest.fixture(scope="module")
def wrk():
    path = ensure_wrk(log=lambda line: None)
    if path is None:
        pytest.skip("wrk is not installed and could not be installed from Debian's packages (apt-get install wrk)")
    return path


def test_smoke_run_measures_every_row(wrk):
    done = subprocess.run(["bash", "bench/run", "--smoke"], cwd=ROOT, env=clean_env(),
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-5000:]
    table = done.stdout
    assert table.startswith("Portal benchmark (SMOKE")
    measured = [
        r"/p/\?sort=name&q=energo \(\d+ rows\): req/s vs bare Pyramid",
        r"/p/\?sort=name&q=energo \(\d+ rows\): p99 vs bare Pyramid",
        r"/p/\?sort=name&q=energo \(\d+ rows\): req/s vs its SQL bare",
        r"/admin/users/\?sort=login \(50 rows\): req/s vs bare Pyramid",
        r"/admin/users/\?sort=login \(50 rows\): p99 vs bare Pyramid",
        r"/p/\?sort=name: p50 at 2,000 vs 200 parties",
        r"/p/\?sort=name&q=energo: p50 at 2,000 vs 200 parties",
        r"XLSX export, 2,000 rows: seconds vs bare xlsxwriter",
        r"XLSX export, 2,000 rows: peak RSS of the whole process",
    ]
    for label in measured:
        assert re.search(label + rf"[^|\n]*\| {NUMBER}[^|]*\| {NUMBER}[^|]*\| {NUMBER}×", table), label
    for name in ("Registry import", "PDF of financial documents", "Outbox delivery"):
        assert re.search(rf"{name}[^\n|]*\| not built yet", table), name
    assert "using ix_parties_name" in table  # the plan of the sorted page is printed and uses the index
