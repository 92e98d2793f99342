"""PostgreSQL restarted in the middle of the load: requests during the outage fail cleanly (our error
page, or no connection), none hangs, the portal recovers by itself within seconds of the database
coming back, and no acknowledged filing is lost or doubled.

The server is the machine's own, shared with whatever else runs here, so the outage is one fast
restart (a stop and a start, so that a probe certainly meets the stopped server in between), and
PostgreSQL is brought back up whatever happens to the test.
"""
import gc
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from portal.scripts.demo import DEMO_PASSWORD

from .checks import assert_exactly_once, assert_history_matches_rows, assert_nothing_left_locked
from .client import log_in
from .load import Customer, LoadRun, Submissions

ETC = Path("/etc/postgresql")
TIMEOUT = 20  # a client gives up after this; an outage must not hold a request longer
BEFORE_FILED = 5  # filings acknowledged before the restart (the load is up and running)
BEFORE_LIMIT = 30  # seconds to get there, cold workers on a busy machine included
RECOVERY = 5  # seconds after PostgreSQL accepts connections again by which the portal serves again
AFTER = 5  # seconds of load after the recovery window, to show the portal stays well
READY_LIMIT = 60  # seconds PostgreSQL may take to come back
ERROR_PAGE = 'class="narrow error-page"'  # templates/errors/error.pt


def cluster_version(port: int) -> str | None:
    """The Debian cluster version serving ``port`` (the only one, usually)."""
    versions = sorted(os.listdir(ETC)) if ETC.is_dir() else []
    if len(versions) == 1:
        return versions[0]
    for version in versions:
        conf = ETC / version / "main" / "postgresql.conf"
        if conf.is_file() and re.search(rf"^\s*port\s*=\s*{port}\b", conf.read_text(), re.M):
            return version
    return None


@pytest.fixture
def cluster(live_portal):
    """How to restart the PostgreSQL server the portal uses; skipped where that is not ours to do."""
    if os.environ.get("PORTAL_RESTART_DB") != "1":
        pytest.skip("restarts the machine's PostgreSQL, which others may be using: "
                    "set PORTAL_RESTART_DB=1 to run it (.ci/run does)")
    url = live_portal.db_url
    port = url.port or 5432
    if url.host not in ("127.0.0.1", "localhost", "::1"):
        pytest.skip(f"PostgreSQL at {url.host} is not on this machine: cannot restart it")
    if shutil.which("pg_ctlcluster") is None or shutil.which("pg_isready") is None:
        pytest.skip("pg_ctlcluster/pg_isready missing: cannot restart PostgreSQL")
    version = cluster_version(port)
    if version is None:
        pytest.skip(f"no cluster under {ETC} serves port {port}")
    return Cluster(version, url.host, port)


class Cluster:
    def __init__(self, version: str, host: str, port: int):
        self.version, self.host, self.port = version, host, port

    def ctl(self, action: str) -> subprocess.CompletedProcess:
        return subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", self.version, "main", action],
                              capture_output=True, text=True, timeout=READY_LIMIT)

    def ready(self) -> bool:
        return subprocess.run(["pg_isready", "-q", "-h", self.host, "-p", str(self.port)],
                              timeout=10).returncode == 0

    def wait_ready(self) -> float:
        """When the server accepts connections again; starts it if the restart left it down."""
        deadline = time.monotonic() + READY_LIMIT
        started = False
        while time.monotonic() < deadline:
            if self.ready():
                return time.monotonic()
            if not started and self.ctl("status").returncode == 3:  # 3: not running
                self.ctl("start")
                started = True
            time.sleep(0.1)
        raise AssertionError(f"PostgreSQL {self.version}/main did not come back within {READY_LIMIT} s")


def forget_pooled_connections() -> None:
    """The restart killed every connection this test process pooled (the suite's own fixtures too):
    drop them, so the next test does not draw a dead one."""
    for obj in gc.get_objects():
        if isinstance(obj, Engine):
            obj.dispose()


def wait_until(condition, limit: float) -> bool:
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_postgresql_restart_fails_cleanly_recovers_and_loses_nothing(live_portal, cluster):
    run = LoadRun(live_portal, seconds=BEFORE_LIMIT + READY_LIMIT, timeout=TIMEOUT)
    # One more customer, driven by the test: it has a form open when the database goes, and sends it.
    probe = Customer(live_portal, "trans", len(run.sessions), run.journal, run.deadline, 20, TIMEOUT,
                     party_ids=[live_portal.party_ids["DEMO-SEVER-TRANS"]],
                     type_ids=sorted(live_portal.type_ids.values()), submissions=run.submissions)
    assert probe.sign_in()
    probe.step()
    run.start()
    try:
        warmed = wait_until(lambda: len(run.submissions.with_outcome(Submissions.FILED)) >= BEFORE_FILED,
                            BEFORE_LIMIT)
        assert warmed, f"the load never got going, so PostgreSQL was left alone: {run.journal.summary()}"
        down = time.monotonic()
        try:
            # A restart in two steps, so that requests certainly meet the stopped server in between.
            stop = cluster.ctl("stop")
            assert stop.returncode == 0, f"pg_ctlcluster stop failed: {stop.stderr}"
            probe.step()
        finally:
            cluster.ctl("start")
            up = cluster.wait_ready()
            forget_pooled_connections()
    finally:
        run.deadline.at = min(run.deadline.at, time.monotonic() + RECOVERY + AFTER)
        run.join()

    outcomes = run.journal.outcomes
    failures = run.journal.failures()
    first_failure = min((o.started for o in failures), default=down) - down
    recovered = max((o.started + o.took for o in failures), default=up) - up
    print(f"\nrestart: pg_ctlcluster stop to pg_isready {up - down:.1f} s; {len(failures)} of {len(outcomes)} "
          f"requests failed ({len(run.journal.server_errors())} 5xx, {len(run.journal.no_answer())} without an "
          f"answer), the first {first_failure:+.1f} s after the restart began, the last ended {recovered:+.1f} s "
          f"after PostgreSQL was ready; slowest answer {max(o.took for o in outcomes):.1f} s; "
          f"filings: {len(run.submissions.with_outcome(Submissions.FILED))} acknowledged, "
          f"{len(run.submissions.with_outcome(Submissions.FAILED))} refused, "
          f"{len(run.submissions.with_outcome(Submissions.UNKNOWN))} unanswered; {run.journal.summary()}")

    # The probe's page and its form, sent while PostgreSQL was down, both failed.
    probed = [(o.what, o.status) for o in run.journal.outcomes if o.who == probe.who and o.started >= down]
    assert [what for what, status in probed if status is None or status >= 500] == [
        "GET new-request", "POST new-request"], probed
    # Requests fail only because of the outage: none before it, none once the recovery window is over,
    # none left hanging.
    assert [o for o in failures if o.started + o.took < down] == [], "failures before the restart"
    late = [(o.who, o.what, o.status, o.error, round(o.started - up, 1)) for o in failures
            if o.started > up + RECOVERY]
    assert late == [], f"the portal had not recovered {RECOVERY} s after PostgreSQL was back"
    hung = [(o.who, o.what, round(o.started - up, 1)) for o in run.journal.no_answer() if "timed out" in o.error]
    assert hung == [], f"requests left hanging for {TIMEOUT} s"
    # The load carried on after the outage.
    after = {s for s, at in run.submissions.at.items() if at > up + RECOVERY}
    assert after & run.submissions.with_outcome(Submissions.FILED), run.journal.summary()
    # Nothing acknowledged is lost or doubled, nothing refused is stored, nothing is left locked.
    assert_nothing_left_locked(live_portal)
    assert_exactly_once(live_portal, run.submissions)
    assert_history_matches_rows(live_portal)
    # The failures were clean: the portal's own error page, never a traceback.
    errors = run.journal.server_errors()
    assert [o.body for o in errors if "Traceback" in o.body] == [], "a traceback was shown"
    bare = [o for o in errors if ERROR_PAGE not in o.body]
    assert not bare, (f"{len(bare)} of {len(errors)} error answers were not the portal's error page "
                      f"(the exception escaped every exception view), e.g. {bare[0].what}: {bare[0].body[:200]!r}; "
                      f"logged: {live_portal.tracebacks()[:1]}")


def test_connections_that_died_while_idle_are_replaced_without_an_error(live_portal):
    """A worker's pooled connections can die while it is idle: a restart or failover it did not witness,
    a firewall dropping quiet connections. Its next request must still succeed (the pool pings a
    connection before lending it), not answer 500 once per dead connection."""
    party_id = live_portal.party_ids["DEMO-VOSTOK"]
    browsers = [live_portal.browser() for _ in range(6)]
    for browser in browsers:
        assert log_in(browser, "vostok", DEMO_PASSWORD).status == 303
        assert browser.get(f"/p/{party_id}/requests/").status == 200
    killed = live_portal.query(
        "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
        "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
    )[0][0]
    assert killed > 0, "no pooled connection to kill"
    statuses = [browser.get(f"/p/{party_id}/requests/").status for browser in browsers for _ in range(3)]
    assert statuses == [200] * len(statuses), live_portal.tracebacks()[:1]
