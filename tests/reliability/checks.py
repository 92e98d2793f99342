"""What must hold in the database after a load: no transaction or lock left behind, every filing
that was acknowledged stored exactly once, none that was refused stored at all, and every request's
history agreeing with its row."""
from __future__ import annotations

import time

from .load import Submissions

SETTLE = 5.0  # seconds the server gets to finish what it was doing when the clients stopped

LEFTOVERS = """
    SELECT a.pid, a.state, l.locktype, l.mode, l.granted, left(a.query, 120) AS query
      FROM pg_stat_activity a
      LEFT JOIN pg_locks l ON l.pid = a.pid
     WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND a.backend_type = 'client backend'
       AND (a.state LIKE 'idle in transaction%' OR l.pid IS NOT NULL)
"""


def assert_nothing_left_locked(portal) -> None:
    """No session of the portal sits in an open transaction or holds or awaits a lock.

    The load is over, so every pooled connection must be plain idle: a lock held now would be held
    until the process dies, and every later writer of that row would hang on it.
    """
    deadline = time.monotonic() + SETTLE
    while True:
        rows = portal.query(LEFTOVERS)
        if not rows or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert rows == [], f"open transactions or locks left after the load: {rows}"


def stored_subjects(portal, submissions: Submissions) -> dict[str, int]:
    rows = portal.query(
        "SELECT subject, count(*) FROM customer_requests WHERE subject LIKE :tag GROUP BY subject",
        tag=submissions.tag + " %",
    )
    return dict(rows)


def assert_exactly_once(portal, submissions: Submissions) -> dict[str, int]:
    """Acknowledged (303) means stored once; an error page means not stored; nothing else stored.

    A filing that got no answer at all (the client gave up) may or may not have been stored, but
    never twice.
    """
    stored = stored_subjects(portal, submissions)
    filed = submissions.with_outcome(Submissions.FILED)
    failed = submissions.with_outcome(Submissions.FAILED)
    unknown = submissions.with_outcome(Submissions.UNKNOWN)
    assert {s: n for s, n in stored.items() if n != 1} == {}, "filings stored more than once"
    assert sorted(filed - stored.keys()) == [], "acknowledged filings that were lost"
    assert sorted(failed & stored.keys()) == [], "filings answered with an error page that were stored anyway"
    assert sorted(stored.keys() - filed - unknown) == [], "stored filings nobody sent"
    return stored


def assert_history_matches_rows(portal) -> None:
    """Every request's history is one unbroken chain that ends in the row's state, and work started once.

    Two staff who act on the same request at once must be serialised by the row lock: a transition
    applied from a state the item had already left, a lost update or a doubly applied transition shows
    here. (The version is not compared with the number of entries: a transition that changes no
    column, such as assigning to the current assignee, is recorded without an UPDATE.)
    """
    broken = portal.query("""
        SELECT item_id, id, transition, from_state, previous FROM (
            SELECT item_id, id, transition, from_state,
                   lag(to_state) OVER (PARTITION BY item_id ORDER BY id) AS previous
              FROM workflow_history WHERE workflow = 'request') AS h
         WHERE transition <> 'create' AND from_state IS DISTINCT FROM previous
    """)
    assert broken == [], f"transitions applied from a state the request was no longer in: {broken}"
    mismatched = portal.query("""
        SELECT r.id, r.state, r.version, count(h.id) AS entries,
               count(h.id) FILTER (WHERE h.transition = 'start') AS starts
          FROM customer_requests r
          LEFT JOIN workflow_history h ON h.workflow = 'request' AND h.item_id = r.id
         GROUP BY r.id
        HAVING r.version > count(h.id) OR count(h.id) FILTER (WHERE h.transition = 'start') > 1
            OR r.state <> (SELECT to_state FROM workflow_history
                            WHERE workflow = 'request' AND item_id = r.id ORDER BY id DESC LIMIT 1)
    """)
    assert mismatched == [], f"requests whose history disagrees with the row: {mismatched}"


def unrecorded_noop_transitions(portal) -> list:
    """Transitions recorded in the history that left the row's version unchanged (for the report)."""
    return portal.query("""
        SELECT r.id, r.version, string_agg(h.transition || ':' || coalesce(h.from_state, '') || '>' || h.to_state
                                           || ' by ' || coalesce(h.actor_id::text, '-'), ', ' ORDER BY h.id)
          FROM customer_requests r JOIN workflow_history h ON h.workflow = 'request' AND h.item_id = r.id
         GROUP BY r.id, r.version HAVING r.version <> count(h.id)
    """)


def transitions_applied(portal) -> dict[str, int]:
    return dict(portal.query("SELECT transition, count(*) FROM workflow_history "
                             "WHERE workflow = 'request' GROUP BY transition"))
