"""Lists written to .xlsx in constant memory.

Rows stream from the database in batches into xlsxwriter's ``constant_memory``
mode, which flushes each finished row to disk, so exporting a million rows
costs no more memory than exporting ten. Cells are typed (dates are Excel
dates, money is a number with two decimals), and text that a spreadsheet would
run as a formula is stored as plain text.

Excel has no time zones, so times are written as the portal's time zone reads
them (the one the pages show), and each time column's header names that zone.
"""
import operator
import tempfile
from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

import xlsxwriter
from sqlalchemy import inspect
from translationstring import TranslationString
from zope.interface import Interface, implementer


class IXlsxExportService(Interface):
    """Writes the rows a query finds to an .xlsx file, streaming, in constant memory."""

    def export(statement, columns, *, sheet_name="Export", scalars=True):
        """A temporary file, at its start, holding the .xlsx of ``statement``'s rows.

        ``columns`` are ``Column`` specs; times are written in the service's
        time zone. The caller closes the file (a FileIter does when the download ends).
        """


KINDS = ("text", "number", "decimal", "date", "datetime")
# Leading characters that make Excel or LibreOffice read a cell as a formula
# (OWASP "CSV injection"); such text is written with Excel's quote prefix.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Excel's rows per sheet; longer exports continue on a new sheet.
MAX_ROWS = 1_048_576
# Small exports stay in memory; larger ones spill to a temporary file.
SPOOL_BYTES = 1 << 20
WORKBOOK_OPTIONS = {
    "constant_memory": True,
    "strings_to_formulas": False,
    "strings_to_numbers": False,
    "strings_to_urls": False,
}
FORMATS = {
    "header": {"bold": True},
    "quoted": {"quote_prefix": True},
    "decimal": {"num_format": "#,##0.00"},
    "date": {"num_format": "yyyy-mm-dd"},
    "datetime": {"num_format": "yyyy-mm-dd hh:mm"},
}
SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def zone_name(tz) -> str:
    """The name a sheet gives a time zone: ``Europe/Moscow``, ``UTC``."""
    return getattr(tz, "key", None) or str(tz)


def interpolate(message):
    """The default ``translate``: a TranslationString's default text with its mapping filled in."""
    return message.interpolate() if isinstance(message, TranslationString) else message


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, where each row's value comes from, its cell type.

    ``value`` is an attribute name (dotted names reach into relations) or a
    callable taking the row; ``kind`` is one of ``KINDS``; ``width`` is in
    characters, since a streamed sheet cannot be measured before it is written.
    """

    header: str
    value: str | Callable[[Any], Any]
    kind: str = "text"
    width: float = 18

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown column kind {self.kind!r}; use one of {KINDS}")

    @property
    def getter(self) -> Callable[[Any], Any]:
        return operator.attrgetter(self.value) if isinstance(self.value, str) else self.value


class _SheetWriter:
    """Writes header and rows to a workbook, one typed cell at a time, row after row."""

    def __init__(self, workbook, columns, translate, sheet_name, tz):
        self.workbook = workbook
        self.columns = columns
        self.translate = translate
        self.tz = tz
        self.sheet_name = (str(translate(sheet_name)).translate(SHEET_NAME_FORBIDDEN).strip() or "Export")[:25]
        self.formats = {name: workbook.add_format(spec) for name, spec in FORMATS.items()}
        self.cells = [(column.getter, getattr(self, "_" + column.kind)) for column in columns]
        self.sheets = 0
        self.sheet = None
        self.row = 0
        self._new_sheet()

    def append(self, record) -> None:
        if self.row == MAX_ROWS - 1:
            self._finish_sheet()
            self._new_sheet()
        self.row += 1
        for col, (get, write) in enumerate(self.cells):
            value = get(record)
            if value is not None:
                write(col, value)

    def close(self) -> None:
        self._finish_sheet()

    def _new_sheet(self) -> None:
        self.sheets += 1
        name = self.sheet_name if self.sheets == 1 else f"{self.sheet_name} ({self.sheets})"
        self.sheet = self.workbook.add_worksheet(name)
        self.row = 0
        for col, column in enumerate(self.columns):
            self.sheet.set_column(col, col, column.width)
            self.sheet.write_string(0, col, self._header(column), self.formats["header"])
        self.sheet.freeze_panes(1, 0)

    def _header(self, column) -> str:
        """The column's title; a time column's also names the zone its times are in: "Filed (Europe/Moscow)"."""
        header = str(self.translate(column.header))
        return f"{header} ({zone_name(self.tz)})" if column.kind == "datetime" else header

    def _finish_sheet(self) -> None:
        self.sheet.autofilter(0, 0, self.row, len(self.columns) - 1)

    def _text(self, col, value) -> None:
        if isinstance(value, TranslationString):
            value = self.translate(value)
        value = str(value)
        if value.startswith(FORMULA_TRIGGERS):
            self.sheet.write_string(self.row, col, value, self.formats["quoted"])
        elif value:
            self.sheet.write_string(self.row, col, value)

    def _number(self, col, value) -> None:
        self.sheet.write_number(self.row, col, value)

    def _decimal(self, col, value) -> None:
        # Excel holds doubles: beyond 15 significant digits precision is lost there anyway.
        self.sheet.write_number(self.row, col, float(value), self.formats["decimal"])

    def _date(self, col, value: date) -> None:
        self.sheet.write_datetime(self.row, col, value, self.formats["date"])

    def _datetime(self, col, value: datetime) -> None:
        # Excel has no time zones: the time as the sheet's zone reads it (a naive time is UTC).
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        self.sheet.write_datetime(self.row, col, value.astimezone(self.tz).replace(tzinfo=None),
                                  self.formats["datetime"])


def write_rows(fileobj, rows, columns, *, translate=interpolate, sheet_name="Export", tz=timezone.utc) -> int:
    """Write a bold, frozen, filterable header and ``rows`` to ``fileobj`` as .xlsx.

    ``rows`` may be any iterable (a streamed query result): it is consumed once,
    row by row. Times are written as the time zone ``tz`` reads them. Returns
    the number of rows written.
    """
    workbook = xlsxwriter.Workbook(fileobj, WORKBOOK_OPTIONS)
    count = 0
    try:
        writer = _SheetWriter(workbook, tuple(columns), translate, sheet_name, tz)
        for record in rows:
            writer.append(record)
            count += 1
        writer.close()
    finally:
        workbook.close()
    return count


def narrowed_to_columns(statement, columns):
    """``statement`` selecting only the columns the export reads, when each one names a mapped column.

    The same filter and order, but plain rows instead of ORM objects: building
    an object per row took a third of the time of a large export. None when a
    column needs the object (a property, a relation, a callable).
    """
    descriptions = statement.column_descriptions
    entity = descriptions[0]["entity"] if len(descriptions) == 1 else None
    if entity is None or descriptions[0]["expr"] is not entity:
        return None
    names = [column.value for column in columns]
    mapped = inspect(entity).column_attrs
    if not all(isinstance(name, str) and name in mapped for name in names):
        return None
    return statement.with_only_columns(*(getattr(entity, name) for name in dict.fromkeys(names)))


@implementer(IXlsxExportService)
class XlsxExportService:
    """Exports what a select statement finds, fetched from the database in batches, times in ``tz``."""

    def __init__(self, dbsession, *, translate=interpolate, tz=timezone.utc, batch_size=1000,
                 spool_bytes=SPOOL_BYTES):
        self.db = dbsession
        self.translate = translate
        self.tz = tz
        self.batch_size = batch_size
        self.spool_bytes = spool_bytes

    def export(self, statement, columns, *, sheet_name="Export", scalars=True):
        narrowed = narrowed_to_columns(statement, columns) if scalars else None
        if narrowed is not None:
            statement, scalars = narrowed, False
        # yield_per streams the result (a server-side cursor on PostgreSQL) and
        # lets the session forget each batch of rows once it is written.
        result = self.db.execute(statement.execution_options(yield_per=self.batch_size))
        rows = result.scalars() if scalars else result
        out = tempfile.SpooledTemporaryFile(max_size=self.spool_bytes)
        try:
            write_rows(out, rows, columns, translate=self.translate, sheet_name=sheet_name, tz=self.tz)
        except BaseException:
            out.close()
            raise
        finally:
            result.close()
        out.seek(0)
        return out


def xlsx_export_service_factory(context, request):
    """Exports in the user's language, times in the company's time zone (the one the pages show)."""
    return XlsxExportService(request.dbsession, translate=request.localizer.translate,
                             tz=request.registry["portal_tz"])


def includeme(config):
    config.register_service_factory(xlsx_export_service_factory, IXlsxExportService)
