"""File imports of an API entity (``portal-import``): the rows of a CSV or XLSX export go through the
API's own upsert service in batches, with its validation and its per-row results, and every row's
outcome goes into a report beside the file.

- The file has a header row. Its columns are the entity's fields, or a mapping (a JSON object of
  column title → field, e.g. 1C's Russian titles) says which column gives which field; columns
  the mapping leaves out are not read. Titles are compared without case and surrounding spaces.
- A cell is sent as text, as a person sees it: an empty cell is ``null`` (it clears an optional
  field; a required one is reported missing), spreadsheet dates and numbers become ISO dates and
  plain numbers, a ``dd.mm.yyyy`` date becomes ISO and a decimal comma a point, as 1C writes them.
- Each batch is one transaction (``portal.api.batch_size`` rows, as an API call): a failed row
  changes nothing and the others are kept; running the import again finds the rows already in
  "unchanged". With ``atomic`` the whole file is one transaction, rolled back when any row failed
  (the report still says what each row would have been).
"""
import contextlib
import csv
import json
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime

import colander

from portal.api.services import ERROR, OUTCOMES, upsert_batch
from portal.api.sheets import FileError, Sheet, open_sheet
from portal.i18n import _
from portal.views.xlsx import FORMULA_TRIGGERS

REPORT_SUFFIX = ".report.csv"
REPORT_HEADER = ("row", "external_id", "outcome", "field", "message")
RUSSIAN_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
DIGIT_GROUPS = re.compile(r"[\s\u00a0\u202f]")


def interpolated(message) -> str:
    """The default ``translate``: a message's own (English) text with its values filled in."""
    return message.interpolate() if hasattr(message, "interpolate") else str(message)


def report_path(path: str) -> str:
    return path + REPORT_SUFFIX


def as_text(value) -> str:
    """A report cell that a spreadsheet shows as text, never runs as a formula (as views/xlsx.py does)."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_TRIGGERS) else text


def load_mapping(path: str) -> dict[str, str]:
    """Column title → field, from a JSON file holding one object of strings."""
    name = os.path.basename(path)
    try:
        with open(path, encoding="utf-8-sig") as f:
            mapping = json.load(f)
    except (OSError, UnicodeDecodeError, ValueError) as error:
        raise FileError(_("The mapping ${name} cannot be read: ${reason}",
                          mapping={"name": name, "reason": str(error)})) from error
    if not isinstance(mapping, dict) or not mapping or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in mapping.items()):
        raise FileError(_('The mapping ${name} must be one JSON object of column titles and fields, '
                          'e.g. {"Код": "external_id"}.', mapping={"name": name}))
    return mapping


def title_key(title) -> str:
    return str(title or "").strip().casefold()


def columns_for(header: list[str], schema, entity_name: str, mapping: dict[str, str] | None) -> list[tuple[int, str]]:
    """``(column index, field)`` for each column to read; FileError for a column or field that is not there."""
    nodes = {node.name: node for node in schema.children}
    fields = list(nodes)
    known = ", ".join(fields)
    positions: dict[str, int] = {}
    for index, title in enumerate(header):
        key = title_key(title)
        if not key:
            continue
        if key in positions:
            raise FileError(_("The column “${column}” comes twice in the file.", mapping={"column": title.strip()}))
        positions[key] = index
    if mapping is None:
        by_key = {title_key(name): name for name in fields}
        titles = [header[index].strip() for index in positions.values()]
        unknown = [title for title in titles if title_key(title) not in by_key]
        mapping = {title: by_key[title_key(title)] for title in titles if title not in unknown}
        if unknown:
            raise FileError(_("The columns ${columns} are not fields of ${entity} (${fields}): name the columns "
                              "after the fields, or give a mapping.",
                              mapping={"columns": ", ".join(unknown), "entity": entity_name, "fields": known}))
    columns, taken = [], {}
    for title, name in mapping.items():
        if name not in fields:
            raise FileError(_("The mapping names “${field}”, which is not a field of ${entity} (${fields}).",
                              mapping={"field": name, "entity": entity_name, "fields": known}))
        if isinstance(nodes[name].typ, (colander.Sequence, colander.Mapping)):
            raise FileError(_("The field ${field} holds a list or an object, which one column cannot give: send "
                              "such records through the API.", mapping={"field": name}))
        if name in taken:
            raise FileError(_("The columns “${first}” and “${second}” are both mapped to ${field}.",
                              mapping={"first": taken[name], "second": title, "field": name}))
        if title_key(title) not in positions:
            raise FileError(_("The file has no column “${column}” (mapped to ${field}).",
                              mapping={"column": title, "field": name}))
        taken[name] = title
        columns.append((positions[title_key(title)], name))
    if "external_id" not in taken:
        raise FileError(_("No column gives external_id, which every row needs."))
    return columns


def cell_text(value, node):
    """A cell as the API would receive it (see the module's docstring), None when empty."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    if not text:
        return None
    if isinstance(node.typ, colander.Date) and (found := RUSSIAN_DATE.match(text)):
        day, month, year = found.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    if isinstance(node.typ, colander.Decimal):
        text = DIGIT_GROUPS.sub("", text)
        if "," in text and "." not in text:
            text = text.replace(",", ".")
    return text


@dataclass
class FileImport:
    """One file's import: its rows as the entity's rows, in batches, and its report."""

    entity: object
    sheet: Sheet
    columns: list[tuple[int, str]]
    report: object  # a csv.writer
    translate: Callable = interpolated
    counts: dict = field(default_factory=lambda: dict.fromkeys(OUTCOMES, 0))

    def batches(self, size: int) -> Iterator[list[tuple[int, dict]]]:
        """Lists of ``(row number, row)``; rows with every read cell empty are left out."""
        nodes = {node.name: node for node in self.entity.make_schema().children}
        batch = []
        for number, cells in self.sheet.rows:
            row = {name: cell_text(cells[index] if index < len(cells) else None, nodes[name])
                   for index, name in self.columns}
            if all(value is None for value in row.values()):
                continue
            batch.append((number, row))
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch

    def apply(self, db, batch) -> list[dict]:
        """The batch through the API's upsert service: its per-row results."""
        results, counts, _kept = upsert_batch(db, self.entity, [row for _n, row in batch], translate=self.translate)
        for outcome, count in counts.items():
            self.counts[outcome] += count
        return results

    def write_report(self, batch, results) -> None:
        """A line per row, or per error or warning of the row (a warning: kept, with a note)."""
        for (number, _row), result in zip(batch, results):
            notes = result.get("errors") or result.get("warnings") or [{"field": "", "message": ""}]
            for note in notes:
                self.report.writerow((number, as_text(result["external_id"]), result["result"], as_text(note["field"]),
                                      as_text(note["message"])))


@contextlib.contextmanager
def file_import(path: str, entity, mapping: dict[str, str] | None, *, translate=interpolated):
    """A ``FileImport`` of ``path``, its report ``<path>.report.csv`` (UTF-8 with a BOM, for Excel)
    open meanwhile."""
    with open_sheet(path) as sheet:
        columns = columns_for(sheet.header, entity.make_schema(), entity.name, mapping)
        with open(report_path(path), "w", encoding="utf-8-sig", newline="") as out:
            report = csv.writer(out)
            report.writerow(REPORT_HEADER)
            yield FileImport(entity, sheet, columns, report, translate)


def run_import(db, job: FileImport, *, batch_size: int, atomic: bool, transaction, progress=lambda rows: None) -> bool:
    """Every batch of ``job``, each in ``transaction()`` (a context manager of ``db``'s), or all in one
    when ``atomic``; True when what was applied is kept (an atomic import with an error keeps nothing).

    Inside the transaction the rows' savepoints sit in one more: SQLite's driver begins no transaction
    before a savepoint, so without it each row's savepoint would be a transaction of its own there
    (committed alone, to disk, and beyond the reach of a rollback).
    """
    if not atomic:
        for batch in job.batches(batch_size):
            with transaction(), db.begin_nested():
                results = job.apply(db, batch)
            job.write_report(batch, results)
            progress(len(batch))
        return True
    with transaction():
        outer = db.begin_nested()
        for batch in job.batches(batch_size):
            job.write_report(batch, job.apply(db, batch))
            progress(len(batch))
        if job.counts[ERROR]:
            outer.rollback()
            return False
        outer.commit()
    return True
