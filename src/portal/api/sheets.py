"""The rows of an accounting system's export, CSV or XLSX, read one at a time.

Memory stays the same whatever the number of rows: CSV is read line by line, XLSX through
openpyxl's read-only mode, which parses the sheet's XML as it goes. A workbook keeps its texts once
each in a shared table that its cells name by number, as many as the sheet has distinct texts
(every row's own id and number): openpyxl would hold them all as Python strings, so they are kept
in a temporary file instead, with an offset each in memory (``DiskStrings``). python-calamine reads
XLSX about ten times faster but loads the whole sheet first, so its memory grows with the file
(bench/run measures both); reading is a small part of an import anyway, the upserts are the rest.

CSV files from 1C come in UTF-8 (with or without a BOM) or in Windows-1251, separated by ``;``,
``,`` or tabs: the encoding is the first that decodes the whole file, the separator is sniffed
from the header line.
"""
import codecs
import contextlib
import csv
import os
import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from dataclasses import dataclass

from portal.i18n import _

CSV_ENCODINGS = ("utf-8-sig", "cp1251")
CSV_DELIMITERS = ";,\t|"
CHUNK = 1 << 16
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


class FileError(Exception):
    """A file that cannot be imported at all (unreadable, wrong columns …): ``message`` says why."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


@dataclass
class Sheet:
    """A file's header and its data rows as ``(row number in the file, cells)``; ``total`` is how many
    rows it says it has (for progress), or None."""

    header: list[str]
    rows: Iterator[tuple[int, tuple]]
    total: int | None


def unreadable(path, kind, error) -> FileError:
    reason = str(error) or type(error).__name__
    return FileError(_("The file ${name} cannot be read as ${kind}: ${reason}",
                       mapping={"name": os.path.basename(path), "kind": kind, "reason": reason}))


@contextlib.contextmanager
def open_sheet(path: str):
    """The ``Sheet`` of a CSV or XLSX file (chosen by its name's ending), closed when the block ends."""
    suffix = os.path.splitext(path)[1].lower()
    if suffix in XLSX_SUFFIXES:
        opener = xlsx_sheet
    elif suffix in CSV_SUFFIXES:
        opener = csv_sheet
    else:
        raise FileError(_("Only .xlsx and .csv files can be imported, not ${name}.",
                          mapping={"name": os.path.basename(path)}))
    if not os.path.isfile(path):
        raise FileError(_("There is no file ${path}.", mapping={"path": path}))
    with opener(path) as sheet:
        yield sheet


def csv_encoding(path: str) -> str:
    """The first of ``CSV_ENCODINGS`` that decodes the whole file (read in chunks)."""
    for encoding in CSV_ENCODINGS:
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with open(path, "rb") as f:
                while chunk := f.read(CHUNK):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        return encoding
    raise FileError(_("The file ${name} is neither UTF-8 nor Windows-1251 text.",
                      mapping={"name": os.path.basename(path)}))


def line_count(path: str) -> int:
    count = 0
    with open(path, "rb") as f:
        while chunk := f.read(CHUNK):
            count += chunk.count(b"\n")
    return count


@contextlib.contextmanager
def csv_sheet(path: str):
    encoding = csv_encoding(path)
    with open(path, encoding=encoding, newline="") as f:
        first = f.readline()
        if not first.strip():
            raise FileError(_("The file ${name} has no header row.", mapping={"name": os.path.basename(path)}))
        try:
            dialect = csv.Sniffer().sniff(first, delimiters=CSV_DELIMITERS)
        except csv.Error:
            dialect = csv.excel  # one column: no separator to find
        header = next(csv.reader([first], dialect))
        reader = csv.reader(f, dialect)

        def rows():
            try:
                for cells in reader:
                    yield reader.line_num + 1, tuple(cells)
            except csv.Error as error:
                raise unreadable(path, "CSV", error) from error

        yield Sheet(header, rows(), max(line_count(path) - 1, 0))


class DiskStrings:
    """A workbook's shared texts in a temporary file, read back by number (what a cell holds)."""

    def __init__(self):
        self.file = tempfile.TemporaryFile()
        self.offsets = array("Q", [0])

    def append(self, text: str) -> None:
        data = text.encode("utf-8")
        self.file.write(data)
        self.offsets.append(self.offsets[-1] + len(data))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def __getitem__(self, index: int) -> str:
        start, end = self.offsets[index], self.offsets[index + 1]
        return os.pread(self.file.fileno(), end - start, start).decode("utf-8")

    def close(self) -> None:
        self.file.close()


def disk_strings_reader():
    """openpyxl's workbook reader with the shared texts read into ``DiskStrings`` (its own
    ``read_string_table`` builds a list)."""
    from openpyxl.cell.text import Text
    from openpyxl.reader.excel import ExcelReader
    from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    text_tag = "{%s}si" % SHEET_MAIN_NS

    class Reader(ExcelReader):
        def read_strings(self):
            self.shared_strings = DiskStrings()
            part = self.package.find(SHARED_STRINGS)
            if part is not None:
                with self.archive.open(part.PartName[1:]) as src:
                    table = None
                    for event, node in iterparse(src, events=("start", "end")):
                        if table is None:
                            table = node  # the root: each text is dropped from it once read (see xlsx_rows)
                        elif event == "end" and node.tag == text_tag:
                            self.shared_strings.append(Text.from_tree(node).content.replace("x005F_", ""))
                            table.remove(node)
            self.shared_strings.file.flush()

    return Reader


def xlsx_rows(workbook, sheet, strings):
    """``(row number, values)`` of a read-only sheet, each row's element dropped from the tree once
    read: openpyxl's own loop clears a row but leaves it in the tree (80 bytes a row, kept to the end)."""
    from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser
    from openpyxl.xml.constants import SHEET_MAIN_NS
    from openpyxl.xml.functions import iterparse

    data_tag = "{%s}sheetData" % SHEET_MAIN_NS
    with sheet._get_source() as src:
        parser = WorkSheetParser(src, strings, data_only=True, epoch=workbook.epoch,
                                 date_formats=workbook._date_formats, timedelta_formats=workbook._timedelta_formats)
        data = None
        for event, element in iterparse(src, events=("start", "end")):
            if event == "start":
                data = element if element.tag == data_tag else data
            elif element.tag == ROW_TAG:
                number, cells = parser.parse_row(element)
                data.remove(element)
                parser.row_dimensions.clear()  # a row's height, which 1C sets on every row: not wanted
                values = [None] * max((cell["column"] for cell in cells), default=0)
                for cell in cells:
                    values[cell["column"] - 1] = cell["value"]
                yield number, tuple(values)


@contextlib.contextmanager
def xlsx_sheet(path: str):
    from openpyxl.utils.exceptions import InvalidFileException

    try:  # a failed read leaves its temporary file to the garbage collector: it has no name on disk
        reader = disk_strings_reader()(path, read_only=True, data_only=True)
        reader.read()
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise unreadable(path, "XLSX", error) from error
    workbook = reader.wb

    def rows():
        try:
            yield from xlsx_rows(workbook, workbook.worksheets[0], reader.shared_strings)
        except Exception as error:  # whatever a damaged archive or sheet XML raises midway
            raise unreadable(path, "XLSX", error) from error

    try:
        cells = rows()
        _number, header = next(cells, (None, ()))
        if not any(v not in (None, "") for v in header):
            raise FileError(_("The file ${name} has no header row.", mapping={"name": os.path.basename(path)}))
        max_row = workbook.worksheets[0].max_row
        yield Sheet(["" if v is None else str(v) for v in header], cells, max_row - 1 if max_row else None)
    finally:
        workbook.close()
        reader.shared_strings.close()
