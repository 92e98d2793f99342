"""The integration's bulk paths, each in a process of its own (so its memory is its own):

    python -m bench.api_import batch <db_url> <entity> <rows>
        one batch upsert of ``rows`` records through the API's upsert service (api/services.py), in
        the API's batches of ``portal.api.batch_size`` rows each committed, then the same rows again
        (all unchanged), after one row more that warms the process up as a running server is; the
        records are removed before and after, and on PostgreSQL their tables
        vacuumed (the dead rows of earlier runs would slow the next one down)
    python -m bench.api_import file <path.xlsx> <rows>
        writes the import's file: ``rows`` contracts with 1C's Russian column titles, in shared strings
        as a spreadsheet program writes them
    python -m bench.api_import read import|openpyxl|calamine <path.xlsx>
        reads every cell of it: with the import's reader (api/sheets.py: openpyxl's read-only mode,
        the shared texts on disk), with openpyxl's read-only mode alone, or with python-calamine
    python -m bench.api_import import <db_url> <entity> <path.xlsx>
        ``portal-import`` (scripts/importer.py's main) of it with the mapping ``MAPPING``; removes
        what it imported afterwards

Each prints one JSON line: rows, seconds and the peak resident memory (VmHWM, KiB) with the memory
before the work began.
"""
import datetime
import json
import os
import sys
import time

from bench import dbapi
from bench.xlsx_child import peak_kib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INI = os.path.join(ROOT, "bench", "bench.ini")
PREFIX = "BENCH-API-"  # every record these measurements write, and remove
PARTIES = 1000  # the rows reference the first this many benchmark parties
MAPPING = {"Код": "external_id", "Контрагент (код)": "party", "Номер договора": "number", "Дата начала": "valid_from",
           "Дата окончания": "valid_to"}


def contract_row(n: int, party: str) -> dict:
    return {"external_id": f"{PREFIX}{n:07d}", "party": party, "number": f"API-{n}/2026", "valid_from": "2026-01-01",
            "valid_to": "2026-12-31"}


def invoice_row(n: int, party: str) -> dict:
    lines = [{"text": "Electricity, November", "quantity": "1250.000", "unit": "kWh", "price": "5.4200",
              "vat_rate": "20.00"},
             {"text": "Network services", "quantity": "1.000", "unit": "month", "price": "1800.0000",
              "vat_rate": "20.00"}]
    return {"external_id": f"{PREFIX}{n:07d}", "party": party, "number": f"API-{n}", "issue_date": "2026-11-30",
            "due_date": "2026-12-15", "currency": "RUB", "lines": lines}


# entity -> (one row as the accounting system sends it, the statements that remove the measured records,
# the tables they leave dead rows in: vacuumed, so that each send finds the tables as the first did)
ENTITIES = {
    "contracts": (contract_row, ["DELETE FROM contracts WHERE external_id LIKE '{prefix}%'"], ["contracts"]),
    # Lines cascade; the news of the measured invoices to their companies goes too (nothing else in a
    # benchmark database writes that topic: the generator writes invoices without news).
    "invoices": (invoice_row, ["DELETE FROM invoices WHERE external_id LIKE '{prefix}%'",
                               "DELETE FROM outbox WHERE topic = 'invoice.issue'"],
                 ["invoices", "invoice_lines", "outbox"]),
}


def remove_measured(url: str, entity: str) -> None:
    conn = dbapi.connect(url)
    try:
        if url.startswith("sqlite"):
            conn.execute("PRAGMA foreign_keys = ON")
        for statement in ENTITIES[entity][1]:
            conn.execute(statement.format(prefix=PREFIX))
        if not url.startswith("sqlite"):
            for table in ENTITIES[entity][2]:
                conn.execute(f"VACUUM ANALYZE {table}")
    finally:
        conn.close()


def party_ids(url: str) -> list[str]:
    conn = dbapi.connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute(f"SELECT external_id FROM parties WHERE external_id LIKE 'BENCH-P%' ORDER BY external_id"
                       f" LIMIT {PARTIES}")
        return [row[0] for row in cursor.fetchall()]
    finally:
        conn.close()


def portal_registry(url: str):
    from pyramid.paster import bootstrap

    os.environ["PORTAL_DB_URL"] = url
    env = bootstrap(INI)
    env["closer"]()
    return env["registry"]


def batch(url: str, entity_name: str, rows: int) -> dict:
    from portal.api.entities import api_entities
    from portal.api.services import batch_size, upsert_batch

    registry = portal_registry(url)
    entity, size = api_entities(registry)[entity_name], batch_size(registry.settings)
    parties = party_ids(url)
    payload = [ENTITIES[entity_name][0](n, parties[n % len(parties)]) for n in range(rows)]
    factory = registry["dbsession_factory"]

    def send() -> tuple[float, dict]:
        totals = {}
        start = time.perf_counter()
        for first in range(0, rows, size):
            with factory() as db, db.begin():
                _results, counts, _kept = upsert_batch(db, entity, payload[first:first + size])
            for outcome, count in counts.items():
                totals[outcome] = totals.get(outcome, 0) + count
        return time.perf_counter() - start, totals

    remove_measured(url, entity_name)
    try:
        # As a running server is: its templates (the letters' among them) compiled, its connections open.
        with factory() as db, db.begin():
            upsert_batch(db, entity, [ENTITIES[entity_name][0](rows, parties[0])])
        first_seconds, first = send()
        again_seconds, again = send()
    finally:
        remove_measured(url, entity_name)
    if first.get("created") != rows or again.get("unchanged") != rows:
        raise RuntimeError(f"the batch did not come out as measured: first {first}, again {again}")
    return {"rows": rows, "first_seconds": first_seconds, "again_seconds": again_seconds, "peak_kib": peak_kib()}


def write_file(path: str, rows: int, url: str | None = None) -> dict:
    import xlsxwriter

    parties = party_ids(url) if url else [f"BENCH-P{n:07d}" for n in range(PARTIES)]
    workbook = xlsxwriter.Workbook(path)  # shared strings, as Excel and 1C write them
    sheet = workbook.add_worksheet("Договоры")
    dates = workbook.add_format({"num_format": "dd.mm.yyyy"})
    sheet.write_row(0, 0, list(MAPPING))
    start, end = datetime.datetime(2026, 1, 1), datetime.datetime(2026, 12, 31)
    for n in range(rows):
        row = contract_row(n, parties[n % len(parties)])
        sheet.write_row(n + 1, 0, [row["external_id"], row["party"], row["number"]])
        sheet.write_datetime(n + 1, 3, start, dates)
        sheet.write_datetime(n + 1, 4, end, dates)
    workbook.close()
    return {"rows": rows, "bytes": os.path.getsize(path)}


def read(reader: str, path: str) -> dict:
    import openpyxl
    from python_calamine import CalamineWorkbook

    from portal.api.sheets import open_sheet

    before = peak_kib()
    start = time.perf_counter()
    rows = cells = 0

    def count(values):
        nonlocal rows, cells
        rows += 1
        cells += sum(1 for v in values if v not in (None, ""))

    if reader == "calamine":
        for values in CalamineWorkbook.from_path(path).get_sheet_by_index(0).iter_rows():
            count(values)
    elif reader == "openpyxl":
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        for values in workbook.worksheets[0].iter_rows(values_only=True):
            count(values)
        workbook.close()
    else:
        with open_sheet(path) as sheet:
            count(sheet.header)
            for _number, values in sheet.rows:
                count(values)
    return {"rows": rows - 1, "cells": cells, "seconds": time.perf_counter() - start, "peak_kib": peak_kib(),
            "before_kib": before}


def run_import(url: str, entity: str, path: str) -> dict:
    from portal.scripts import importer

    mapping = path + ".mapping.json"
    with open(mapping, "w", encoding="utf-8") as f:
        json.dump(MAPPING, f, ensure_ascii=False)
    os.environ["PORTAL_DB_URL"] = url
    remove_measured(url, entity)
    before = peak_kib()
    start = time.perf_counter()
    try:
        status = importer.main([INI, entity, path, "--mapping", mapping])
        seconds = time.perf_counter() - start
    finally:
        remove_measured(url, entity)
    with open(path + ".report.csv", encoding="utf-8-sig") as f:
        reported = sum(1 for _line in f) - 1
    if status != 0:
        raise RuntimeError(f"portal-import exited {status}; see {path}.report.csv")
    return {"rows": reported, "seconds": seconds, "peak_kib": peak_kib(), "before_kib": before}


def main(argv) -> int:
    mode, *args = argv
    if mode == "batch":
        result = batch(args[0], args[1], int(args[2]))
    elif mode == "file":
        result = write_file(args[0], int(args[1]), *args[2:])
    elif mode == "read":
        result = read(args[0], args[1])
    else:
        result = run_import(*args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
