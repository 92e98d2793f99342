"""File imports through the API's upsert service (api/imports.py, api/sheets.py): columns by field or by
mapping, cells as the API receives them, batches with per-row results into the report, atomic imports,
and a clear refusal of a file that cannot be imported."""
import csv
from datetime import date, datetime
from decimal import Decimal

import colander
import pytest
import xlsxwriter
from sqlalchemy import select

from portal.api.entities import api_entities
from portal.api.imports import cell_text, columns_for, file_import, load_mapping, report_path, run_import
from portal.api.sheets import FileError, open_sheet
from portal.finance.models import Invoice
from portal.parties.models import Contract, Party
from tests.factories import ContractFactory, PartyFactory

MAPPING = {"Код": "external_id", "Контрагент": "party", "Номер договора": "number", "Дата начала": "valid_from",
           "Дата окончания": "valid_to"}
HEADER = ["Код", "Контрагент", "Номер договора", "Дата начала", "Дата окончания", "Комментарий"]


@pytest.fixture
def contracts(app):
    return api_entities(app.registry)["contracts"]


def write_csv(path, rows, *, encoding="utf-8-sig", delimiter=";"):
    with open(path, "w", encoding=encoding, newline="") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return str(path)


def write_xlsx(path, rows):
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet()
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if isinstance(value, date):
                sheet.write_datetime(r, c, datetime(value.year, value.month, value.day),
                                     workbook.add_format({"num_format": "dd.mm.yyyy"}))
            elif value is not None:
                sheet.write(r, c, value)
    workbook.close()
    return str(path)


def run(dbsession, path, entity, mapping=MAPPING, *, atomic=False, batch_size=2):
    with file_import(path, entity, mapping) as job:
        kept = run_import(dbsession, job, batch_size=batch_size, atomic=atomic, transaction=dbsession.begin_nested)
    with open(report_path(path), encoding="utf-8-sig", newline="") as f:
        return kept, job.counts, list(csv.reader(f))


def stored(dbsession):
    dbsession.expire_all()
    return {c.external_id: c for c in dbsession.scalars(select(Contract).where(Contract.external_id.like("IMP-%")))}


def test_a_csv_of_1c_goes_in_by_mapping_with_per_row_results(tmp_path, dbsession, contracts):
    PartyFactory(external_id="P-IMP")
    path = write_csv(tmp_path / "contracts.csv", [
        HEADER,
        ["IMP-1", "P-IMP", "12/2026", "01.02.2026", "", "первый"],
        ["", "", "", "", "", ""],  # an empty row is no row
        ["IMP-2", "P-404", "13/2026", "2026-02-01", "", ""],
        ["IMP-3", "P-IMP", "14/2026", "2026-03-01", "2026-01-01", ""],
        ["IMP-4", "P-IMP", "", "2026-03-01", "", ""],
    ], encoding="cp1251")
    kept, counts, report = run(dbsession, path, contracts)
    assert kept and counts == {"created": 1, "updated": 0, "unchanged": 0, "error": 3}
    assert report[0] == ["row", "external_id", "outcome", "field", "message"]
    assert [r[:4] for r in report[1:]] == [["2", "IMP-1", "created", ""], ["4", "IMP-2", "error", "party"],
                                           ["5", "IMP-3", "error", "valid_to"], ["6", "IMP-4", "error", "number"]]
    assert report[2][4] == "No party has the external id P-404."
    assert report[4][4] == "Required"
    contract = stored(dbsession)["IMP-1"]
    assert (contract.valid_from, contract.number, contract.party.external_id) == (date(2026, 2, 1), "12/2026", "P-IMP")
    # Again: the rows already in are unchanged, the fixed ones go in.
    path = write_csv(tmp_path / "contracts.csv", [HEADER, ["IMP-1", "P-IMP", "12/2026", "01.02.2026", "", ""],
                                                  ["IMP-4", "P-IMP", "15/2026", "01.03.2026", "", ""]])
    kept, counts, report = run(dbsession, path, contracts)
    assert [r[2] for r in report[1:]] == ["unchanged", "created"] and counts["error"] == 0


def test_an_xlsx_by_field_names_with_typed_cells(tmp_path, dbsession, contracts):
    PartyFactory(external_id="P-IMP")
    path = write_xlsx(tmp_path / "contracts.xlsx", [
        ["external_id", "Party ", "number", "valid_from", "valid_to"],
        ["IMP-7", "P-IMP", 2026, date(2026, 1, 1), date(2026, 12, 31)],
        [None, None, None, None, None],
        ["IMP-8", "P-IMP", "N 8", "2026-05-01", None],
    ])
    kept, counts, report = run(dbsession, path, contracts, mapping=None)
    assert counts["created"] == 2 and [r[0] for r in report[1:]] == ["2", "4"]
    contracts_in = stored(dbsession)
    assert (contracts_in["IMP-7"].number, contracts_in["IMP-7"].valid_to) == ("2026", date(2026, 12, 31))
    assert contracts_in["IMP-8"].valid_to is None


def test_atomic_keeps_nothing_when_a_row_fails(tmp_path, dbsession, contracts):
    PartyFactory(external_id="P-IMP")
    rows = [HEADER] + [[f"IMP-{n}", "P-IMP", f"N{n}", "2026-01-01", "", ""] for n in range(5)]
    rows.append(["IMP-9", "P-404", "N9", "2026-01-01", "", ""])
    path = write_csv(tmp_path / "contracts.csv", rows)
    kept, counts, report = run(dbsession, path, contracts, atomic=True)
    assert not kept and counts["created"] == 5 and counts["error"] == 1
    assert stored(dbsession) == {}
    kept, counts, _report = run(dbsession, write_csv(tmp_path / "contracts.csv", rows[:-1]), contracts, atomic=True)
    assert kept and set(stored(dbsession)) == {f"IMP-{n}" for n in range(5)}


def test_the_report_shows_a_formula_as_text(tmp_path, dbsession, contracts):
    path = write_csv(tmp_path / "contracts.csv", [HEADER, ["=HYPERLINK(1)", "P-404", "N1", "2026-01-01", "", ""]])
    assert run(dbsession, path, contracts)[2][1][:3] == ["2", "'=HYPERLINK(1)", "error"]


def test_a_bad_row_keeps_the_rest_of_its_batch(tmp_path, dbsession, contracts):
    PartyFactory(external_id="P-IMP")
    path = write_csv(tmp_path / "contracts.csv", [HEADER, ["IMP-1", "P-404", "N1", "2026-01-01", "", ""],
                                                  ["IMP-2", "P-IMP", "N2", "2026-01-01", "", ""]])
    assert run(dbsession, path, contracts, batch_size=10)[0]
    assert set(stored(dbsession)) == {"IMP-2"}


@pytest.mark.parametrize("value,node,text", [
    (None, colander.String(), None), ("  ", colander.String(), None), (" x ", colander.String(), "x"),
    (datetime(2026, 3, 4), colander.Date(), "2026-03-04"), (date(2026, 3, 4), colander.String(), "2026-03-04"),
    (datetime(2026, 3, 4, 10, 30), colander.DateTime(), "2026-03-04T10:30:00"),
    ("4.3.2026", colander.Date(), "2026-03-04"), ("4.3.2026", colander.String(), "4.3.2026"),
    (12.0, colander.String(), "12"), (12.5, colander.Decimal(), "12.5"), (7, colander.Integer(), "7"),
    ("1 234,56", colander.Decimal(), "1234.56"), ("1\u00a0234.5", colander.Decimal(), "1234.5"),
    (True, colander.Boolean(), "true"),
])
def test_cells_are_sent_as_the_api_receives_them(value, node, text):
    assert cell_text(value, colander.SchemaNode(node, name="f")) == text


@pytest.mark.parametrize("header,mapping,says", [
    (HEADER[:1] + HEADER[2:], MAPPING, "The file has no column “Контрагент” (mapped to party)."),
    (HEADER, dict(MAPPING, Комментарий="comment"), "The mapping names “comment”, which is not a field of contracts"),
    (HEADER, dict(MAPPING, Комментарий="number"), "are both mapped to number"),
    (HEADER, {"Номер договора": "number"}, "No column gives external_id"),
    (["external_id", "Номер"], None, "The columns Номер are not fields of contracts"),
    (["Код", "код "], {"Код": "external_id"}, "The column “код” comes twice in the file."),
])
def test_wrong_columns_are_refused_with_a_clear_message(contracts, header, mapping, says):
    with pytest.raises(FileError) as refused:
        columns_for(header, contracts.make_schema(), "contracts", mapping)
    assert says in refused.value.message.interpolate()


class Invoiceish(colander.MappingSchema):
    external_id = colander.SchemaNode(colander.String())
    lines = colander.SchemaNode(colander.Sequence(), colander.SchemaNode(colander.String(), name="line"))


def test_a_field_holding_a_list_cannot_come_from_a_column():
    with pytest.raises(FileError) as refused:
        columns_for(["external_id", "lines"], Invoiceish(), "invoiceish", None)
    assert "The field lines holds a list or an object" in refused.value.message.interpolate()


def test_unreadable_files_and_mappings_are_refused(tmp_path):
    fake = tmp_path / "export.xlsx"
    fake.write_bytes(b"not a zip at all")
    with pytest.raises(FileError) as refused, open_sheet(str(fake)):
        pass
    assert "The file export.xlsx cannot be read as XLSX" in refused.value.message.interpolate()
    for name, content in (("export.pdf", b"%PDF"), ("empty.csv", b""), ("latin.csv", b"\x98\x98")):
        (tmp_path / name).write_bytes(content)
        with pytest.raises(FileError), open_sheet(str(tmp_path / name)):
            pass
    with pytest.raises(FileError), open_sheet(str(tmp_path / "missing.csv")):
        pass
    for content in ("[1, 2]", "{not json", '{"a": 1}', "{}"):
        (tmp_path / "mapping.json").write_text(content)
        with pytest.raises(FileError):
            load_mapping(str(tmp_path / "mapping.json"))
    (tmp_path / "mapping.json").write_text('{"Код": "external_id"}', encoding="utf-8")
    assert load_mapping(str(tmp_path / "mapping.json")) == {"Код": "external_id"}


def test_csv_separators_and_encodings_are_found(tmp_path):
    for delimiter in (";", ",", "\t"):
        for encoding in ("utf-8", "utf-8-sig", "cp1251"):
            path = write_csv(tmp_path / "x.csv", [["Код", "Имя"], ["1", "Сева"]], encoding=encoding, delimiter=delimiter)
            with open_sheet(path) as sheet:
                assert sheet.header == ["Код", "Имя"] and list(sheet.rows) == [(2, ("1", "Сева"))]
                assert sheet.total == 1


def test_parties_import_too(tmp_path, dbsession, app):
    path = write_csv(tmp_path / "parties.csv", [["external_id", "name", "parent"], ["IMP-P1", "Holding", ""],
                                                ["IMP-P2", "Daughter", "IMP-P1"]])
    with file_import(path, api_entities(app.registry)["parties"], None) as job:
        run_import(dbsession, job, batch_size=1000, atomic=False, transaction=dbsession.begin_nested)
    daughter = dbsession.scalars(select(Party).where(Party.external_id == "IMP-P2")).one()
    assert daughter.parent.external_id == "IMP-P1" and job.counts["created"] == 2


INVOICE_MAPPING = {"Код": "external_id", "Номер": "number", "Дата": "issue_date", "Оплатить до": "due_date",
                   "Контрагент": "party", "Договор": "contract", "Номенклатура": "lines.text",
                   "Количество": "lines.quantity", "Ед.": "lines.unit", "Цена": "lines.price",
                   "Ставка НДС": "lines.vat_rate"}
INVOICE_HEADER = list(INVOICE_MAPPING)


def line_row(external_id, text, quantity="1", price="100,00", number=None, party="P-INV"):
    return [external_id, number or f"№ {external_id}", date(2026, 3, 1), "15.03.2026", party, "K-INV", text,
            quantity, "шт", price, "20"]


@pytest.fixture
def invoices(app, dbsession):
    party = PartyFactory(external_id="P-INV")
    ContractFactory(party=party, external_id="K-INV")
    dbsession.flush()
    return api_entities(app.registry)["invoices"]


def invoice_lines(dbsession, external_id):
    dbsession.expire_all()
    invoice = dbsession.scalars(select(Invoice).where(Invoice.external_id == external_id)).one_or_none()
    return None if invoice is None else [(line.description, line.quantity) for line in invoice.lines]


def test_an_export_a_row_per_invoice_line_goes_in_an_invoice_per_external_id(tmp_path, dbsession, invoices):
    path = write_xlsx(tmp_path / "invoices.xlsx", [
        INVOICE_HEADER,
        line_row("INV-1", "Электроэнергия", "1 250,5"), line_row("INV-1", "Мощность"),
        line_row("INV-2", "Услуги сети"),
        [None] * len(INVOICE_HEADER),  # an empty row is no row, and ends no invoice
        line_row("INV-3", "Электроэнергия"), line_row("INV-3", "Пени", price="дорого"),
        line_row("INV-4", "Электроэнергия"), line_row("INV-4", "Пени", number="№ другой"),
        line_row("INV-5", "Электроэнергия", party="P-404"),
    ])
    kept, counts, report = run(dbsession, path, invoices, INVOICE_MAPPING, batch_size=3)
    assert kept and counts == {"created": 2, "updated": 0, "unchanged": 0, "error": 3}
    assert [r[:4] for r in report[1:]] == [
        ["2–3", "INV-1", "created", ""], ["4", "INV-2", "created", ""],
        ["7", "INV-3", "error", "lines.price"],  # the row of the line, not of the invoice
        ["8–9", "INV-4", "error", "number"], ["10", "INV-5", "error", "party"]]
    assert report[4][4] == "The rows of this record give number twice: “№ INV-4” and “№ другой” (row 9)."
    assert invoice_lines(dbsession, "INV-1") == [("Электроэнергия", Decimal("1250.500")), ("Мощность", Decimal(1))]
    assert invoice_lines(dbsession, "INV-2") == [("Услуги сети", Decimal(1))]
    assert invoice_lines(dbsession, "INV-3") is None and invoice_lines(dbsession, "INV-4") is None
    one = dbsession.scalars(select(Invoice).where(Invoice.external_id == "INV-1")).one()
    assert (one.number, one.due_date, one.contract.external_id, one.total_amount) == (
        "№ INV-1", date(2026, 3, 15), "K-INV", Decimal("150180.00"))
    # Again: the invoices are unchanged; a line more makes an invoice updated.
    kept, counts, _report = run(dbsession, path, invoices, INVOICE_MAPPING, batch_size=3)
    assert counts["unchanged"] == 2 and counts["created"] == 0
    path = write_csv(tmp_path / "more.csv", [INVOICE_HEADER, line_row("INV-2", "Услуги сети"),
                                             line_row("INV-2", "Пени")])
    assert run(dbsession, path, invoices, INVOICE_MAPPING)[1]["updated"] == 1
    assert [text for text, _quantity in invoice_lines(dbsession, "INV-2")] == ["Услуги сети", "Пени"]


def test_an_invoice_is_never_split_between_batches_and_they_stay_small(tmp_path, dbsession, invoices):
    rows = [line_row("INV-A", "a"), *[line_row("INV-B", f"b{n}") for n in range(5)], line_row("INV-C", "c"),
            line_row("INV-D", "d")]
    path = write_csv(tmp_path / "invoices.csv", [INVOICE_HEADER, *rows])
    with file_import(path, invoices, INVOICE_MAPPING) as job:
        batches = [[(record.first, record.last) for record in batch] for batch in job.batches(2)]
    assert batches == [[(2, 2)], [(3, 7)], [(8, 8), (9, 9)]]  # a batch of 2 rows, or one invoice longer alone
    kept, counts, _report = run(dbsession, path, invoices, INVOICE_MAPPING, batch_size=2)
    assert counts["created"] == 4 and len(invoice_lines(dbsession, "INV-B")) == 5


def test_the_same_external_id_again_later_is_another_record(tmp_path, dbsession, invoices):
    path = write_csv(tmp_path / "invoices.csv", [INVOICE_HEADER, line_row("INV-1", "a"), line_row("INV-2", "b"),
                                                 line_row("INV-1", "c")])
    _kept, _counts, report = run(dbsession, path, invoices, INVOICE_MAPPING, batch_size=10)
    assert [r[:4] for r in report[1:]] == [["2", "INV-1", "created", ""], ["3", "INV-2", "created", ""],
                                           ["4", "INV-1", "error", "external_id"]]


def test_a_list_is_mapped_by_the_fields_of_its_items(invoices):
    with pytest.raises(FileError) as refused:
        columns_for(["Код", "Строки"], invoices.make_schema(), "invoices", {"Код": "external_id", "Строки": "lines"})
    assert "The field lines is a list: map the fields of its items (lines.text, lines.quantity, lines.unit, " \
           "lines.price, lines.vat_rate)" in refused.value.message.interpolate()
    header = ["external_id", "party", "lines.text", "Lines.Price"]  # without a mapping, titled as the fields
    assert columns_for(header, invoices.make_schema(), "invoices", None) == [
        (0, "external_id"), (1, "party"), (2, "lines.text"), (3, "lines.price")]
