"""A first start says what it does and nothing else: the console scripts print no warnings or log
noise, bin/ensure-venv drops only pip's notes about this machine's configuration, and a step that
fails still prints its error."""
import os
import stat
import subprocess
import sys

import pytest

from tests.conftest import HERE
from tests.unit.scripts.test_scripts import FAST

BIN = os.path.dirname(sys.executable)
MACHINE_NOTE = "WARNING: Location 'file:///opt/pypi-more/simple/pip/' is ignored: it is neither a file nor a directory."


def quiet_env():
    """The environment a newcomer has: no warning filters of ours, no database URL."""
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONWARNINGS", "PORTAL_DB_URL")}
    return env


def dev_ini(tmp_path, url=None):
    """development.ini as it is, on a database of the test's own."""
    text = open(os.path.join(HERE, "development.ini")).read()
    url = url or f"sqlite:///{tmp_path}/var/portal.sqlite"
    text = text.replace("sqlalchemy.url = sqlite:///%(here)s/var/portal.sqlite", f"sqlalchemy.url = {url}\n{FAST}")
    text = text.replace("script_location = %(here)s/alembic", f"script_location = {HERE}/alembic")
    path = tmp_path / "development.ini"
    path.write_text(text)
    return str(path)


def run(script, *args, cwd):
    return subprocess.run([os.path.join(BIN, script), *args], cwd=cwd, env=quiet_env(),
                          capture_output=True, text=True, timeout=300)


def test_initialize_and_demo_print_no_warnings_or_log_noise(tmp_path):
    ini = dev_ini(tmp_path)
    migrated = run("initialize_portal_db", ini, cwd=tmp_path)
    assert migrated.returncode == 0, migrated.stderr[-3000:]
    assert migrated.stderr == ""
    assert migrated.stdout == "The database schema is up to date.\n"
    demo = run("portal-demo", ini, cwd=tmp_path)
    assert demo.returncode == 0, demo.stderr[-3000:]
    assert demo.stderr == ""
    assert "Demo data loaded." in demo.stdout


def test_a_failing_migration_still_prints_its_error(tmp_path):
    # A folder where the database file should be: SQLite cannot open it.
    (tmp_path / "portal.sqlite").mkdir()
    failed = run("initialize_portal_db", dev_ini(tmp_path, f"sqlite:///{tmp_path}/portal.sqlite"), cwd=tmp_path)
    assert failed.returncode != 0
    assert "unable to open database file" in failed.stderr


@pytest.fixture
def fake_checkout(tmp_path):
    """A folder with bin/ensure-venv and a .venv whose python is a stand-in for pip."""
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "ensure-venv").write_text(open(os.path.join(HERE, "bin", "ensure-venv")).read())
    (tmp_path / ".venv" / "bin").mkdir(parents=True)
    return tmp_path


def fake_pip(checkout, *, said, status):
    python = checkout / ".venv" / "bin" / "python"
    lines = "".join(f"echo {line!r} >&2\n" for line in said)
    python.write_text(f"#!/bin/sh\n{lines}exit {status}\n")
    python.chmod(python.stat().st_mode | stat.S_IEXEC)


def ensure_venv(checkout):
    return subprocess.run(["bash", "-c", "set -euo pipefail; . bin/ensure-venv"], cwd=checkout,
                          env=dict(quiet_env(), PYTHON_BIN=sys.executable), capture_output=True, text=True)


def test_ensure_venv_drops_the_machines_pip_notes(fake_checkout):
    fake_pip(fake_checkout, said=[MACHINE_NOTE, MACHINE_NOTE.replace("pip/", "wheel/")], status=0)
    done = ensure_venv(fake_checkout)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert (fake_checkout / ".venv" / ".installed").is_file()


def test_ensure_venv_keeps_pips_other_warnings_its_errors_and_its_failure(fake_checkout):
    error = "ERROR: No matching distribution found for pyramid>=2.0"
    other = "WARNING: The candidate selected for download or install is a yanked version: 'x' candidate"
    fake_pip(fake_checkout, said=[MACHINE_NOTE, other, error], status=1)
    failed = ensure_venv(fake_checkout)
    assert failed.returncode == 1
    assert failed.stderr.splitlines() == [other, error]
    assert not (fake_checkout / ".venv" / ".installed").exists()
