"""The benchmark's plan check: a sequential scan over a big table is found in EXPLAIN's output, and one
over a small table, or one a LIMIT stops early, is not."""
import json

from bench.sqlbare import Plan, seq_scans, sqlite_scans

# EXPLAIN (ANALYZE, FORMAT JSON) on PostgreSQL 15, trimmed: a search over the subjects of the requests,
# read by a parallel sequential scan (3 loops: the leader and two workers).
PARALLEL_SEQ_SCAN = """[{"Plan": {
  "Node Type": "Limit", "Plan Rows": 8, "Actual Rows": 0, "Actual Loops": 1,
  "Plans": [{"Node Type": "Gather Merge", "Plan Rows": 8, "Actual Rows": 0, "Actual Loops": 1,
    "Plans": [{"Node Type": "Sort", "Plan Rows": 4, "Actual Rows": 0, "Actual Loops": 3,
      "Plans": [{"Node Type": "Seq Scan", "Parallel Aware": true, "Relation Name": "customer_requests",
                 "Alias": "customer_requests", "Plan Rows": 4, "Actual Rows": 0, "Actual Loops": 3,
                 "Filter": "((subject)::text ~~ '%leak%'::text)", "Rows Removed by Filter": 73061}]}]}]},
  "Planning Time": 0.4, "Execution Time": 99.8}]"""

# A capped count on an index, and a sequential scan of a small lookup table joined to it.
INDEXED = """[{"Plan": {
  "Node Type": "Aggregate", "Plan Rows": 1, "Actual Rows": 1, "Actual Loops": 1,
  "Plans": [{"Node Type": "Hash Join", "Plan Rows": 1001, "Actual Rows": 1001, "Actual Loops": 1,
    "Plans": [{"Node Type": "Index Only Scan", "Index Name": "ix_parties_parent_id", "Relation Name": "parties",
               "Plan Rows": 10000, "Actual Rows": 1001, "Actual Loops": 1},
              {"Node Type": "Hash", "Plan Rows": 4, "Actual Rows": 4, "Actual Loops": 1,
               "Plans": [{"Node Type": "Seq Scan", "Relation Name": "request_types", "Plan Rows": 4,
                          "Actual Rows": 4, "Actual Loops": 1}]}]}]},
  "Execution Time": 2.7}]"""

# A capped count over a sequential scan that the LIMIT stops after 1,001 of 15,000 rows.
CAPPED = """[{"Plan": {"Node Type": "Aggregate", "Actual Rows": 1, "Actual Loops": 1, "Plan Rows": 1,
  "Plans": [{"Node Type": "Limit", "Plan Rows": 1001, "Actual Rows": 1001, "Actual Loops": 1,
    "Plans": [{"Node Type": "Seq Scan", "Relation Name": "users", "Plan Rows": 15000, "Actual Rows": 1001,
               "Actual Loops": 1}]}]}}]"""

# Plain EXPLAIN (not executed): the planner's estimate is all there is.
ESTIMATED = """[{"Plan": {"Node Type": "Seq Scan", "Relation Name": "workflow_history", "Plan Rows": 4300000}}]"""


def plan(text):
    return Plan([], [], 1.0, tuple(seq_scans(json.loads(text)[0]["Plan"])))


def test_a_parallel_scan_counts_the_rows_every_worker_read():
    assert seq_scans(json.loads(PARALLEL_SEQ_SCAN)[0]["Plan"]) == [("customer_requests", 219_183)]
    assert plan(PARALLEL_SEQ_SCAN).big_scans() == ["seq scan on customer_requests (219,183 rows)"]


def test_index_scans_and_small_tables_are_not_flagged():
    assert seq_scans(json.loads(INDEXED)[0]["Plan"]) == [("request_types", 4)]
    assert plan(INDEXED).big_scans() == []


def test_a_scan_a_limit_stops_early_counts_what_it_read():
    assert plan(CAPPED).big_scans() == []
    assert plan(CAPPED).big_scans(limit=1000) == ["seq scan on users (1,001 rows)"]


def test_without_analyze_the_estimate_counts():
    assert plan(ESTIMATED).big_scans() == ["seq scan on workflow_history (4,300,000 rows)"]


def test_sqlite_scans_are_those_without_an_index():
    details = ["CO-ROUTINE anon_1", "SCAN parties", "SCAN anon_1",
               "SCAN parties USING INDEX ix_parties_name",
               "SCAN users USING COVERING INDEX ix_users_login",
               "SEARCH customer_requests USING INDEX ix_customer_requests_party_id_state (party_id=? AND state=?)",
               "USE TEMP B-TREE FOR ORDER BY"]
    assert sqlite_scans(details) == ["parties", "anon_1"]
