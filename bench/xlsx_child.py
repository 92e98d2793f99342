"""One XLSX export in a process of its own, so its peak memory is its own.

``python -m bench.xlsx_child portal <db_url> <rows>`` exports the staff party
directory through the portal's XlsxExportService;
``python -m bench.xlsx_child bare <db_url> <rows> <sql>`` writes the same rows
(``sql`` is the portal's statement, compiled) with bare xlsxwriter in
constant_memory mode, reading them through a streaming driver cursor. Either
way the file is then read out in chunks as a download would be. Prints JSON:
seconds, rows, bytes, peak RSS and the RSS before the export began (KiB).
"""
import json
import resource
import sys
import tempfile
import time

CHUNK = 64 * 1024
COLUMNS = ("name", "tax_id", "address", "external_id")


def peak_kib() -> int:
    """This process's peak resident memory so far, in KiB.

    VmHWM belongs to the current program image; ru_maxrss would also count the
    parent's memory, which a forked child holds until it executes this script.
    """
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def drain(fileobj) -> int:
    size = 0
    while chunk := fileobj.read(CHUNK):
        size += len(chunk)
    fileobj.close()
    return size


def portal_export(db_url: str, rows: int) -> dict:
    from types import SimpleNamespace

    from sqlalchemy import select

    from portal.db import get_engine, get_session_factory
    from portal.identity.auth import load_identity
    from portal.identity.models import User
    from portal.parties.views import PartyDirectory
    from portal.views.xlsx import XlsxExportService

    engine = get_engine({"sqlalchemy.url": db_url})
    with get_session_factory(engine)() as db, db.begin():
        identity = load_identity(db, db.scalars(select(User).where(User.login == "bench-head")).one())
        statement = PartyDirectory(None, SimpleNamespace(params={"sort": "name"}, identity=identity)).listed()
        statement = statement.limit(rows)
        before = peak_kib()
        start = time.perf_counter()
        size = drain(XlsxExportService(db).export(statement, PartyDirectory.spec.columns, sheet_name="Parties"))
        seconds = time.perf_counter() - start
    return {"seconds": seconds, "bytes": size, "peak_kib": peak_kib(), "before_kib": before}


def bare_export(db_url: str, rows: int, sql: str) -> dict:
    import xlsxwriter

    from bench.dbapi import connect

    conn = connect(db_url)
    if hasattr(conn, "pgconn"):
        # A named cursor is a server-side one in psycopg: rows arrive in batches, as with yield_per.
        conn.autocommit = False
        cursor = conn.cursor(name="export")
        cursor.itersize = 1000
    else:
        cursor = conn.cursor()
    before = peak_kib()
    start = time.perf_counter()
    out = tempfile.SpooledTemporaryFile(max_size=1 << 20)
    workbook = xlsxwriter.Workbook(out, {"constant_memory": True})
    sheet = workbook.add_worksheet("Parties")
    bold = workbook.add_format({"bold": True})
    cursor.execute(sql)
    names = [d[0] for d in cursor.description]
    picks = [names.index(c) for c in COLUMNS]
    for col, name in enumerate(COLUMNS):
        sheet.write_string(0, col, name, bold)
    row = 0
    for record in cursor:
        row += 1
        for col, index in enumerate(picks):
            if record[index] is not None:
                sheet.write_string(row, col, record[index])
    workbook.close()
    out.seek(0)
    size = drain(out)
    seconds = time.perf_counter() - start
    conn.close()
    return {"seconds": seconds, "bytes": size, "rows": row, "peak_kib": peak_kib(), "before_kib": before}


def main(argv) -> int:
    mode, db_url, rows = argv[0], argv[1], int(argv[2])
    result = portal_export(db_url, rows) if mode == "portal" else bare_export(db_url, rows, argv[3])
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
