"""The .xlsx writer: typed cells, a usable header, no formula injection, streamed queries.

Every file is read back with openpyxl, as a spreadsheet program would read it.
"""
import io
import zipfile
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import openpyxl
import pytest
from openpyxl.utils.escape import unescape
from pyramid.i18n import TranslationStringFactory
from sqlalchemy import event, select

from portal.parties.models import Party
from portal.views import xlsx
from portal.views.xlsx import Column, XlsxExportService, write_rows
from tests.factories import PartyFactory

_ = TranslationStringFactory("portal")

COLUMNS = (
    Column(_("Name"), "name", width=30),
    Column(_("Count"), "count", kind="number"),
    Column(_("Amount"), "amount", kind="decimal"),
    Column(_("Day"), "day", kind="date"),
    Column(_("At"), "at", kind="datetime"),
    Column(_("Shout"), lambda row: row.name.upper(), width=12),
)


def row(name, count=1, amount=Decimal("0"), day=date(2025, 1, 1), at=None):
    return SimpleNamespace(name=name, count=count, amount=amount, day=day, at=at)


def written(rows, columns=COLUMNS, **kw):
    out = io.BytesIO()
    count = write_rows(out, rows, columns, **kw)
    out.seek(0)
    return count, out


def read(out):
    return openpyxl.load_workbook(out)


def test_header_is_bold_frozen_filtered_and_sized():
    _count, out = written([row("Alpha"), row("Beta")])
    sheet = read(out).active
    assert [c.value for c in sheet[1]] == ["Name", "Count", "Amount", "Day", "At (UTC)", "Shout"]
    assert all(c.font.b for c in sheet[1])
    assert not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == "A1:F3"
    assert sheet.column_dimensions["A"].width == pytest.approx(30, abs=1)
    assert sheet.column_dimensions["F"].width == pytest.approx(12, abs=1)


def test_cells_are_typed():
    at = datetime(2025, 3, 4, 15, 30, tzinfo=timezone(timedelta(hours=3)))
    _count, out = written([row("Alpha", 42, Decimal("1234.5"), date(2025, 2, 28), at)])
    a2 = read(out).active[2]
    name, count, amount, day, when, shout = a2
    assert name.data_type == "s" and name.value == "Alpha"
    assert count.data_type == "n" and count.value == 42
    assert amount.data_type == "n" and amount.value == pytest.approx(1234.5)
    assert amount.number_format == "#,##0.00"
    assert day.is_date and day.value == datetime(2025, 2, 28)
    assert day.number_format == "yyyy-mm-dd"
    # Aware times land in the sheet as UTC.
    assert when.is_date and when.value == datetime(2025, 3, 4, 12, 30)
    assert shout.value == "ALPHA"


def test_times_are_written_in_the_sheets_zone_and_its_header_names_it():
    moscow = ZoneInfo("Europe/Moscow")
    aware = datetime(2025, 3, 4, 12, 30, tzinfo=timezone.utc)
    naive = datetime(2025, 7, 1, 21, 15)  # a naive time is UTC
    _count, out = written([row("Aware", at=aware), row("Naive", at=naive)], tz=moscow)
    sheet = read(out).active
    assert sheet["E1"].value == "At (Europe/Moscow)"
    assert sheet["E2"].value == datetime(2025, 3, 4, 15, 30)
    assert sheet["E3"].value == datetime(2025, 7, 2, 0, 15)  # the next day in Moscow
    assert sheet["D1"].value == "Day"  # a date has no zone


def test_missing_values_leave_cells_empty():
    _count, out = written([row("Alpha", None, None, None, None)])
    assert [c.value for c in read(out).active[2]][:5] == ["Alpha", None, None, None, None]


@pytest.mark.parametrize("text", ["=1+2", "+1", "-1", "@SUM(A1:A2)", "=cmd|' /C calc'!A0", "\t=1", "\r=1"])
def test_text_that_looks_like_a_formula_stays_text(text):
    _count, out = written([row(text)])
    cell = read(out).active["A2"]
    # A control character is stored as OOXML's _xHHHH_ escape, which Excel decodes and openpyxl does not.
    assert cell.data_type == "s" and unescape(cell.value) == text
    assert cell.quotePrefix  # Excel shows it as text even when the cell is edited
    out.seek(0)
    with zipfile.ZipFile(out) as archive:
        sheet_xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet_xml


def test_ordinary_text_has_no_quote_prefix():
    _count, out = written([row("Plain text = fine")])
    assert not read(out).active["A2"].quotePrefix


def test_empty_list_gives_the_header_only():
    count, out = written([])
    sheet = read(out).active
    assert count == 0
    assert sheet.max_row == 1 and sheet["A1"].value == "Name"
    assert sheet.auto_filter.ref == "A1:F1"


def test_headers_sheet_name_and_translation_strings_are_translated():
    columns = (Column(_("Name"), "name"), Column(_("State"), lambda r: _("active")))
    _count, out = written([row("Alpha")], columns, translate=lambda s: f"<{s}>", sheet_name=_("Parties"))
    sheet = read(out).active
    assert [c.value for c in sheet[1]] == ["<Name>", "<State>"]
    assert sheet["B2"].value == "<active>"
    assert sheet.title == "<Parties>"


def test_sheet_name_loses_characters_excel_forbids():
    _count, out = written([], sheet_name="a/b:c*d?[e]" + "x" * 40)
    title = read(out).active.title
    assert not set("/:*?[]") & set(title) and len(title) <= 31


def test_rows_beyond_excels_limit_continue_on_a_new_sheet(monkeypatch):
    monkeypatch.setattr(xlsx, "MAX_ROWS", 4)  # a header and three rows per sheet
    count, out = written([row(f"R{n}") for n in range(7)], sheet_name="List")
    book = read(out)
    assert count == 7
    assert book.sheetnames == ["List", "List (2)", "List (3)"]
    names = [c.value for sheet in book for c in sheet["A"] if c.row > 1]
    assert names == [f"R{n}" for n in range(7)]
    assert all(sheet["A1"].value == "Name" for sheet in book)


def test_unknown_column_kind_is_refused():
    with pytest.raises(ValueError):
        Column("x", "x", kind="money")


def test_export_streams_the_query_in_batches(dbsession):
    for n in range(5):
        PartyFactory(name=f"Stream {n}")
    seen = []
    event.listen(dbsession, "do_orm_execute", lambda state: seen.append(state.execution_options))
    service = XlsxExportService(dbsession, batch_size=2)
    statement = select(Party).where(Party.name.like("Stream %")).order_by(Party.name.desc())
    with service.export(statement, (Column("Name", "name"),)) as out:
        assert out.tell() == 0
        names = [c.value for c in read(out).active["A"]]
    assert names == ["Name"] + [f"Stream {n}" for n in reversed(range(5))]
    assert seen and seen[-1].get("yield_per") == 2


def test_small_exports_stay_in_memory_large_ones_spill_to_disk(dbsession):
    for n in range(3):
        PartyFactory(name=f"Spill {n}")
    statement = select(Party).where(Party.name.like("Spill %"))
    with XlsxExportService(dbsession).export(statement, (Column("Name", "name"),)) as small:
        assert not small._rolled
    with XlsxExportService(dbsession, spool_bytes=100).export(statement, (Column("Name", "name"),)) as big:
        assert big._rolled


def executed_sql(dbsession, work):
    statements = []
    engine = dbsession.get_bind()
    listener = lambda conn, cursor, statement, *args: statements.append(statement)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return [s for s in statements if "FROM parties" in s]


def test_export_of_plain_columns_reads_only_those_columns(dbsession):
    PartyFactory(name="Narrow One", tax_id="101")
    PartyFactory(name="Narrow Two", tax_id="202")
    statement = select(Party).where(Party.name.like("Narrow %")).order_by(Party.name.desc())
    columns = (Column("Name", "name"), Column("Tax id", "tax_id"))
    sql = []

    def work():
        with XlsxExportService(dbsession).export(statement, columns) as out:
            sql.append([[c.value for c in row] for row in read(out).active.iter_rows()])

    statements = executed_sql(dbsession, work)
    assert sql[0] == [["Name", "Tax id"], ["Narrow Two", "202"], ["Narrow One", "101"]]
    assert statements and all("created_at" not in s and "address" not in s for s in statements)


def test_export_that_needs_the_object_loads_objects(dbsession):
    PartyFactory(name="Whole One")
    statement = select(Party).where(Party.name == "Whole One")
    columns = (Column("Name", "name"), Column("Shout", lambda party: party.name.upper()))
    names = []

    def work():
        with XlsxExportService(dbsession).export(statement, columns) as out:
            names.extend(c.value for c in read(out).active[2])

    statements = executed_sql(dbsession, work)
    assert names == ["Whole One", "WHOLE ONE"]
    assert any("created_at" in s for s in statements)


def test_narrowing_keeps_to_single_entity_selects():
    assert xlsx.narrowed_to_columns(select(Party.name), (Column("Name", "name"),)) is None
    assert xlsx.narrowed_to_columns(select(Party), (Column("Name", "parent.name"),)) is None
    narrowed = xlsx.narrowed_to_columns(select(Party).where(Party.id > 3).order_by(Party.name),
                                        (Column("Name", "name"), Column("Again", "name")))
    sql = str(narrowed)
    assert sql.startswith("SELECT parties.name \nFROM parties") and "WHERE parties.id >" in sql
    assert "ORDER BY parties.name" in sql
