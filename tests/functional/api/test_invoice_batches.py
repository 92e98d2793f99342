"""Invoices sent in batches: the new ones of a chunk go in by a statement for the invoices and one for
the lines (no ORM object each, db/bulk.py) and read back as sent; a row refused after them, or a chunk the database
refuses, leaves the others as if each were written alone; a batch sent again compares the lines read
for its chunk in one statement, and replaces the lines of those it changes."""
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from portal.finance.api import records
from portal.finance.models import Invoice, InvoiceLine
from tests.conftest import statements
from tests.factories import PartyFactory
from tests.functional.api.conftest import bearer

INVOICES = "/api/v1/invoices"


@pytest.fixture
def parties(dbsession):
    PartyFactory(external_id="B-ACME"), PartyFactory(external_id="B-OTHER")
    dbsession.flush()


def row(external_id, lines=1, **kw):
    return {"external_id": external_id, "party": "B-ACME", "number": f"No-{external_id}",
            "issue_date": "2026-03-01", "due_date": "2026-03-15",
            "lines": [{"text": f"Line {n}", "quantity": f"{n}.5", "unit": "kWh", "price": "3.3333",
                       "vat_rate": "20"} for n in range(1, lines + 1)]} | kw


def send(testapp, key, items):
    response = testapp.post_json(INVOICES, {"items": items}, headers=bearer(key))
    return [r["result"] for r in response.json["results"]], response.json["results"]


def lines_of(dbsession, external_id):
    return dbsession.execute(select(InvoiceLine.position, InvoiceLine.description, InvoiceLine.total_amount)
                             .join(Invoice, Invoice.id == InvoiceLine.invoice_id)
                             .where(Invoice.external_id == external_id).order_by(InvoiceLine.position)).all()


def test_new_invoices_go_in_by_a_statement_each_and_read_back_with_their_lines_and_totals(
        testapp, dbsession, write_key, read_key, parties):
    outcomes, _results = send(testapp, write_key, [row("B-1", lines=1), row("B-2", lines=3), row("B-3")])
    assert outcomes == ["created"] * 3
    assert not [held for held in dbsession.identity_map.values() if isinstance(held, Invoice)]  # no ORM objects
    dbsession.expire_all()
    read = testapp.get(f"{INVOICES}/B-2", headers=bearer(read_key)).json
    assert read["lines"] == [{"text": f"Line {n}", "quantity": f"{n}.500", "unit": "kWh", "price": "3.3333",
                              "vat_rate": "20.00"} for n in (1, 2, 3)]
    # 1.5 × 3.3333 = 5.00 (+1.00 VAT), 2.5 × 3.3333 = 8.33 (+1.67), 3.5 × 3.3333 = 11.67 (+2.33)
    assert (read["net_amount"], read["vat_amount"], read["total_amount"]) == ("25.00", "5.00", "30.00")
    assert (read["party"], read["number"], read["cancelled"], read["currency"]) == ("B-ACME", "No-B-2", False, "RUB")
    assert lines_of(dbsession, "B-2") == [(1, "Line 1", Decimal("6.00")), (2, "Line 2", Decimal("10.00")),
                                          (3, "Line 3", Decimal("14.00"))]
    invoice = dbsession.scalars(select(Invoice).where(Invoice.external_id == "B-2")).one()
    assert [line.description for line in invoice.lines] == ["Line 1", "Line 2", "Line 3"]
    assert invoice.created_at is not None and invoice.paid_amount == Decimal("0.00")
    assert testapp.get(f"{INVOICES}/B-1", headers=bearer(read_key)).json["total_amount"] == "6.00"


def test_a_row_refused_after_new_invoices_leaves_them_whole_and_writes_nothing_of_its_own(
        testapp, dbsession, write_key, parties):
    outcomes, results = send(testapp, write_key, [row("B-1", lines=2), row("B-2", total_amount="1.00"),
                                                  row("B-3", lines=2), row("B-4", party="B-NOBODY")])
    assert outcomes == ["created", "error", "created", "error"]
    assert results[1]["errors"][0]["field"] == "total_amount"
    dbsession.expire_all()
    assert sorted(dbsession.scalars(select(Invoice.external_id).where(Invoice.external_id.like("B-%")))) == [
        "B-1", "B-3"]
    assert [n for n, _text, _total in lines_of(dbsession, "B-1")] == [1, 2]
    assert dbsession.scalar(select(func.count()).select_from(InvoiceLine).join(Invoice).where(
        Invoice.external_id.like("B-%"))) == 4


def test_a_chunk_of_new_invoices_the_database_refuses_is_written_row_by_row(
        testapp, dbsession, write_key, parties, monkeypatch):
    calls = []

    def refused_once(db, invoices):
        calls.append(len(invoices))
        if len(calls) == 1:
            raise IntegrityError("INSERT INTO invoices", {}, Exception("another writer took a number"))
        return insert(db, invoices)

    insert = records.insert_invoices
    monkeypatch.setattr(records, "insert_invoices", refused_once)
    outcomes, _results = send(testapp, write_key, [row("B-1"), row("B-2", lines=2)])
    assert outcomes == ["created", "created"] and calls == [2]  # alone, each is an ORM invoice of its own
    dbsession.expire_all()
    assert [text for _n, text, _total in lines_of(dbsession, "B-2")] == ["Line 1", "Line 2"]


def test_a_batch_sent_again_reads_its_chunks_lines_at_once_and_replaces_those_it_changes(
        testapp, dbsession, write_key, read_key, parties):
    items = [row(f"B-{n}", lines=2) for n in range(5)]
    send(testapp, write_key, items)
    dbsession.expunge_all()  # as a new request: nothing of them held
    items[2] = row("B-2", lines=3)
    with statements(dbsession) as seen:
        outcomes, _results = send(testapp, write_key, items)
    assert outcomes == ["unchanged", "unchanged", "updated", "unchanged", "unchanged"]
    reads = [s for s in seen if s.lstrip().startswith("SELECT") and "FROM invoice_lines" in s]
    assert len(reads) == 2  # the chunk's lines as rows to compare, and the changed invoice's to replace
    dbsession.expire_all()
    assert [text for _n, text, _total in lines_of(dbsession, "B-2")] == ["Line 1", "Line 2", "Line 3"]
    assert len(testapp.get(f"{INVOICES}/B-3", headers=bearer(read_key)).json["lines"]) == 2
    again, _results = send(testapp, write_key, items)
    assert again == ["unchanged"] * 5


def test_an_invoice_whose_party_the_session_does_not_hold_is_compared_and_kept_where_it_is(
        testapp, dbsession, write_key, parties):
    send(testapp, write_key, [row("B-1")])
    dbsession.expunge_all()
    outcomes, results = send(testapp, write_key, [row("B-1", party="B-OTHER"), row("B-1-AGAIN")])
    assert outcomes == ["error", "created"]
    assert results[0]["errors"][0]["message"] == "The invoice belongs to another party; it cannot move to another."
    assert send(testapp, write_key, [row("B-1")])[0] == ["unchanged"]
