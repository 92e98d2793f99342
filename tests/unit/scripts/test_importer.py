"""``portal-import <ini> <entity> FILE [--mapping M] [--atomic]`` end to end on a database of its own:
the exit status, the closing line, the report beside the file, and nothing imported from a wrong file."""
import csv
import json

import pytest
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session

from portal.parties.models import Contract, Party
from portal.scripts import importer, initialize_db
from tests.unit.scripts.test_scripts import FAST

HEADER = ["Код", "Контрагент", "Номер", "Начало"]
MAPPING = {"Код": "external_id", "Контрагент": "party", "Номер": "number", "Начало": "valid_from"}


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """An .ini on a migrated SQLite database holding one party, P-1."""
    from tests.conftest import HERE

    folder = tmp_path_factory.mktemp("import")
    text = open(f"{HERE}/development.ini").read()
    text = text.replace("sqlalchemy.url = sqlite:///%(here)s/var/portal.sqlite",
                        f"sqlalchemy.url = sqlite:///{folder}/import.sqlite\n{FAST}")
    text = text.replace("script_location = %(here)s/alembic", f"script_location = {HERE}/alembic")
    ini = folder / "test.ini"
    ini.write_text(text)
    assert initialize_db.main([str(ini)]) == 0
    engine = create_engine(f"sqlite:///{folder}/import.sqlite")
    with Session(engine) as s:
        s.add(Party(external_id="P-1", name="Acme"))
        s.commit()
    yield {"ini": str(ini), "engine": engine}
    engine.dispose()


@pytest.fixture(autouse=True)
def no_pinned_db(monkeypatch):
    monkeypatch.delenv("PORTAL_DB_URL", raising=False)


def contracts(engine):
    with Session(engine) as s:
        return {c.external_id: c.number for c in s.scalars(select(Contract))}


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=";").writerows(rows)
    return str(path)


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "1c.json"
    path.write_text(json.dumps(MAPPING, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_an_import_reports_every_row_and_exits_1_when_one_failed(database, tmp_path, mapping, capsys):
    path = write(tmp_path / "k.csv", [HEADER, ["K-1", "P-1", "1/26", "2026-01-01"], ["K-2", "P-9", "2/26", "2026-01-01"]])
    assert importer.main([database["ini"], "contracts", path, "--mapping", mapping]) == 1
    out = capsys.readouterr().out
    assert "Imported into contracts: 1 created, 0 updated, 0 unchanged, 1 failed. Report: " + path + ".report.csv" in out
    with open(path + ".report.csv", encoding="utf-8-sig") as f:
        report = list(csv.reader(f))
    assert [r[:4] for r in report] == [["row", "external_id", "outcome", "field"], ["2", "K-1", "created", ""],
                                       ["3", "K-2", "error", "party"]]
    assert contracts(database["engine"])["K-1"] == "1/26" and "K-2" not in contracts(database["engine"])
    # Fixed and sent again: the row already in is unchanged, and every row went in.
    write(path, [HEADER, ["K-1", "P-1", "1/26", "2026-01-01"], ["K-2", "P-1", "2/26", "2026-01-01"]])
    assert importer.main([database["ini"], "contracts", path, "--mapping", mapping]) == 0
    assert "1 created, 0 updated, 1 unchanged, 0 failed" in capsys.readouterr().out


def test_atomic_keeps_nothing_when_a_row_fails(database, tmp_path, mapping, capsys):
    path = write(tmp_path / "k.csv", [HEADER, ["K-10", "P-1", "10", "2026-01-01"], ["K-11", "P-1", "", "2026-01-01"]])
    assert importer.main([database["ini"], "contracts", path, "--mapping", mapping, "--atomic"]) == 1
    assert "Nothing was imported into contracts: the import is all or nothing, and rows failed (1)." in \
        capsys.readouterr().out
    assert "K-10" not in contracts(database["engine"])


@pytest.mark.parametrize("args,says", [
    (["invoicez", "FILE"], "There is no entity “invoicez”; there are: "),
    (["contracts", "MISSING"], "There is no file "),
    (["contracts", "BROKEN"], "cannot be read as XLSX"),
    (["contracts", "FILE", "--mapping", "WRONG_MAPPING"], "The file has no column “Контрагент” (mapped to party)."),
    (["contracts", "FILE"], "are not fields of contracts"),
])
def test_a_wrong_entity_file_or_mapping_says_why_and_imports_nothing(database, tmp_path, capsys, args, says):
    before = contracts(database["engine"])
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not really")
    (tmp_path / "wrong.json").write_text(json.dumps(dict(MAPPING, Контрагент="party"), ensure_ascii=False))
    files = {"FILE": write(tmp_path / "k.csv", [["Код", "Номер", "Начало"], ["K-20", "20", "2026-01-01"]]),
             "MISSING": str(tmp_path / "none.csv"), "BROKEN": str(tmp_path / "broken.xlsx"),
             "WRONG_MAPPING": str(tmp_path / "wrong.json")}
    assert importer.main([database["ini"], *[files.get(a, a) for a in args]]) == 2
    assert says in capsys.readouterr().err
    assert contracts(database["engine"]) == before


def test_invoices_come_a_row_per_line_and_the_report_names_each_invoices_rows(database, tmp_path, capsys):
    from portal.finance.models import Invoice

    mapping = tmp_path / "invoices.json"
    mapping.write_text(json.dumps({"Код": "external_id", "Контрагент": "party", "Номер": "number", "Дата": "issue_date",
                                   "Срок": "due_date", "Строка": "lines.text", "Кол-во": "lines.quantity",
                                   "Ед": "lines.unit", "Цена": "lines.price", "НДС": "lines.vat_rate"},
                                  ensure_ascii=False), encoding="utf-8")
    header = ["Код", "Контрагент", "Номер", "Дата", "Срок", "Строка", "Кол-во", "Ед", "Цена", "НДС"]
    path = write(tmp_path / "i.csv", [header, ["I-1", "P-1", "1", "01.03.2026", "15.03.2026", "Energy", "2", "kWh", "5", "20"],
                                      ["I-1", "P-1", "1", "01.03.2026", "15.03.2026", "Network", "1", "mo", "10", "20"],
                                      ["I-2", "P-1", "2", "01.03.2026", "15.03.2026", "Energy", "1", "kWh", "5", "20"]])
    assert importer.main([database["ini"], "invoices", path, "--mapping", str(mapping)]) == 0
    assert "Imported into invoices: 2 created, 0 updated, 0 unchanged, 0 failed." in capsys.readouterr().out
    with open(path + ".report.csv", encoding="utf-8-sig") as f:
        assert [r[:3] for r in csv.reader(f)][1:] == [["2–3", "I-1", "created"], ["4", "I-2", "created"]]
    with Session(database["engine"]) as s:
        invoice = s.scalars(select(Invoice).where(Invoice.external_id == "I-1")).one()
        assert [line.description for line in invoice.lines] == ["Energy", "Network"]
        assert str(invoice.total_amount) == "24.00"
