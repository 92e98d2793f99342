"""File imports of an API entity (``portal-import``): the rows of a CSV or XLSX export go through the
API's own upsert service in batches, with its validation and its per-row results, and every row's
outcome goes into a report beside the file.

- The file has a header row. Its columns are the entity's fields, or a mapping (a JSON object of
  column title → field, e.g. 1C's Russian titles) says which column gives which field; columns
  the mapping leaves out are not read. Titles are compared without case and surrounding spaces.
- A list of objects (an invoice's lines) comes a row per item: its items' fields are mapped as
  ``<list>.<field>`` (``{"Номенклатура": "lines.text", "Количество": "lines.quantity"}``, or columns so
  titled), and consecutive rows of one external id are one record, each row giving one item (a row
  whose item cells are all empty gives none), as an accounting system exports an invoice a row per
  line. The record's other fields are what its rows give (each may repeat them or leave them empty;
  two rows giving different values refuse the record). The rows of a record must follow each other:
  the same external id again later is another record (refused as a repeat in the same batch, else
  written over the first). One record at a time is held, of at most ``ITEMS_KEPT`` items. The
  report names a record's rows (``5–7``),
  and for an error in an item the row it came from (``lines.price`` on row 6).
- A cell is sent as text, as a person sees it: an empty cell is ``null`` (it clears an optional
  field; a required one is reported missing), spreadsheet dates and numbers become ISO dates and
  plain numbers, a ``dd.mm.yyyy`` date becomes ISO and a decimal comma a point, as 1C writes them.
- Each batch is one transaction (``portal.api.batch_size`` rows of the file, as an API call, a record
  never split between two; one longer is a batch alone): a failed row
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
ITEM = "."  # a column of a list's items is mapped to "<list>.<field of an item>", e.g. "lines.text"
ITEMS_KEPT = 10_000  # of one record's list: more than the API's lists take (its schema refuses it), memory bounded
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


def item_fields(schema) -> dict[str, colander.SchemaNode]:
    """``<list>.<field>`` -> its node, for the fields of the items of each list of objects of ``schema``."""
    return {f"{node.name}{ITEM}{child.name}": child for node in schema.children
            if isinstance(node.typ, colander.Sequence) and node.children
            and isinstance(node.children[0].typ, colander.Mapping) for child in node.children[0].children}


def columns_for(header: list[str], schema, entity_name: str, mapping: dict[str, str] | None) -> list[tuple[int, str]]:
    """``(column index, field)`` for each column to read (``<list>.<field>`` for an item's); FileError for a
    column or field that is not there."""
    nodes = {node.name: node for node in schema.children}
    items = item_fields(schema)
    fields = [*nodes, *items]
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
        if name in nodes and (listed := [item for item in items if item.startswith(name + ITEM)]):
            raise FileError(_("The field ${field} is a list: map the fields of its items (${items}), each row "
                              "giving one item.", mapping={"field": name, "items": ", ".join(listed)}))
        if name in nodes and isinstance(nodes[name].typ, (colander.Sequence, colander.Mapping)):
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

    def records(self) -> Iterator["Record"]:
        """The file's records: a row each, or, when columns give the items of a list, consecutive rows of one
        external id together (see the module's docstring). Rows with every read cell empty are left out;
        one record at a time is held."""
        schema = self.entity.make_schema()
        nodes = {node.name: node for node in schema.children} | item_fields(schema)
        plain = [(index, name) for index, name in self.columns if ITEM not in name]
        listed = [(index, *name.split(ITEM, 1)) for index, name in self.columns if ITEM in name]
        record = None
        for number, cells in self.sheet.rows:
            def read(index, name):
                return cell_text(cells[index] if index < len(cells) else None, nodes[name])

            row = {name: read(index, name) for index, name in plain}
            items = {}
            for index, name, item_field in listed:
                items.setdefault(name, {})[item_field] = read(index, f"{name}{ITEM}{item_field}")
            items = {name: item for name, item in items.items() if any(v is not None for v in item.values())}
            if not items and all(value is None for value in row.values()):
                continue
            if listed and record is not None and row["external_id"] is not None \
                    and row["external_id"] == record.row["external_id"]:
                record.join(number, row, items)
                continue
            if record is not None:
                yield record
            record = Record(number, number, {})
            record.join(number, row, items)
        if record is not None:
            yield record

    def batches(self, size: int) -> Iterator[list["Record"]]:
        """Lists of records of ``size`` rows of the file or fewer (but for a record longer than that alone)."""
        batch, rows = [], 0
        for record in self.records():
            if batch and rows + record.rows > size:
                yield batch
                batch, rows = [], 0
            batch.append(record)
            rows += record.rows
        if batch:
            yield batch

    def apply(self, db, batch) -> list[dict]:
        """The batch through the API's upsert service: its per-record results (a record whose rows disagree is
        refused here, and not sent)."""
        sent = [record.row for record in batch if record.disagreement is None]
        results, counts, _kept = upsert_batch(db, self.entity, sent, translate=self.translate)
        for outcome, count in counts.items():
            self.counts[outcome] += count
        answers = iter(results)
        return [next(answers) if record.disagreement is None else self.refused(record) for record in batch]

    def refused(self, record) -> dict:
        name, first, second, number = record.disagreement
        self.counts[ERROR] += 1
        message = _("The rows of this record give ${field} twice: “${first}” and “${second}” (row ${row}).",
                    mapping={"field": name, "first": first, "second": second, "row": number})
        return {"external_id": record.row.get("external_id"), "result": ERROR,
                "errors": [{"field": name, "message": self.translate(message)}]}

    def write_report(self, batch, results) -> None:
        """A line per record, or per error or warning of the record (a warning: kept, with a note), naming
        the rows of the file it is on."""
        for record, result in zip(batch, results, strict=True):
            notes = result.get("errors") or result.get("warnings") or [{"field": "", "message": ""}]
            for note in notes:
                rows, name = record.source(note["field"])
                self.report.writerow((rows, as_text(result["external_id"]), result["result"], as_text(name),
                                      as_text(note["message"])))


@dataclass
class Record:
    """One row for the API, and the rows of the file it was read from: ``first`` to ``last``, and each
    item's of its lists (``item_rows``); ``disagreement``: two of its rows giving a field differently."""

    first: int
    last: int
    row: dict
    item_rows: dict = field(default_factory=dict)
    disagreement: tuple | None = None  # (field, the value given first, the other, the row giving it)

    @property
    def rows(self) -> int:
        return self.last - self.first + 1

    def join(self, number: int, row: dict, items: dict) -> None:
        """Take in the file's row ``number``: its fields (an empty cell leaves what another row gave) and an
        item for each list it gives one of."""
        self.last = number
        for name, value in row.items():
            given = self.row.get(name)
            if given is None:
                self.row[name] = value
            elif value is not None and value != given and self.disagreement is None:
                self.disagreement = (name, given, value, number)
        for name, item in items.items():
            kept = self.row.setdefault(name, [])
            if len(kept) < ITEMS_KEPT:
                kept.append(item)
                self.item_rows.setdefault(name, []).append(number)

    def source(self, name: str) -> tuple[str, str]:
        """The rows a result's field is on, and the field as a mapping names it: an item's ("lines.1.price")
        is on the row its item came from, as "lines.price"; any other on the record's rows ("5–7")."""
        listed, _dot, rest = name.partition(ITEM)
        index, _dot, item_field = rest.partition(ITEM)
        rows = self.item_rows.get(listed, [])
        if index.isdigit() and int(index) < len(rows):
            return str(rows[int(index)]), f"{listed}{ITEM}{item_field}" if item_field else listed
        return (str(self.first) if self.first == self.last else f"{self.first}–{self.last}"), name


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
            progress(sum(record.rows for record in batch))
        return True
    with transaction():
        outer = db.begin_nested()
        for batch in job.batches(batch_size):
            job.write_report(batch, job.apply(db, batch))
            progress(sum(record.rows for record in batch))
        if job.counts[ERROR]:
            outer.rollback()
            return False
        outer.commit()
    return True
