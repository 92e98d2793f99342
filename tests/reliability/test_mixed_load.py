"""Many customers file requests while staff work them, on gunicorn and PostgreSQL, for a bounded time:
no 5xx, no lock or open transaction left behind, every acknowledged filing stored exactly once."""
import time

from .checks import (
    assert_exactly_once,
    assert_history_matches_rows,
    assert_nothing_left_locked,
    transitions_applied,
    unrecorded_noop_transitions,
)
from .load import LoadRun, Submissions

SECONDS = 20
TIMEOUT = 30  # gunicorn's worker timeout: an answer later than this is a hang, even on a busy machine
MIN_FILED = 20  # far below what even a busy 2-core machine manages; a stalled portal fails here


def test_mixed_load_keeps_every_request_once_and_leaves_nothing_locked(live_portal):
    run = LoadRun(live_portal, seconds=SECONDS, timeout=TIMEOUT)
    run.start()
    run.join()
    took = time.monotonic() - run.started
    print(f"\nmixed load: {took:.1f} s, {len(run.journal.outcomes)} requests, {run.journal.summary()}")

    # Every answer a page or a redirect: no 5xx, no 4xx (a refused form or a lost session), no hang.
    unexpected = [o for o in run.journal.outcomes if o.status not in (200, 303)]
    assert not unexpected, (
        f"{len(unexpected)} of {len(run.journal.outcomes)} requests failed, e.g. "
        f"{[(o.who, o.what, o.status, o.error) for o in unexpected[:5]]}; logged: {live_portal.tracebacks()[:3]}"
    )
    assert live_portal.tracebacks() == [], "the portal logged errors under load"
    filed = run.submissions.with_outcome(Submissions.FILED)
    assert len(filed) >= MIN_FILED, run.journal.summary()
    assert run.submissions.with_outcome(Submissions.FAILED) == set(), run.journal.summary()

    assert_nothing_left_locked(live_portal)
    stored = assert_exactly_once(live_portal, run.submissions)
    assert len(stored) == len(filed)
    assert_history_matches_rows(live_portal)
    applied = transitions_applied(live_portal)
    print(f"transitions applied: {applied}; without a version bump: {unrecorded_noop_transitions(live_portal)}")
    assert applied.get("assign", 0) > 0 and applied.get("start", 0) > 0, applied
