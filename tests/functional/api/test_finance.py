"""Invoices, payments and balances through ``/api/v1/``: created, unchanged, updated, refused per row,
read back, and (invoices only) cancelled by DELETE."""
import base64
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from portal.finance.models import Balance, Invoice, InvoiceState, Payment
from tests.conftest import statements
from tests.factories import ContractFactory, PartyFactory
from tests.factories.documents import pdf_bytes
from tests.functional.api.conftest import bearer


def post(testapp, key, url, body, status=200):
    return testapp.post_json(url, body, headers=bearer(key), status=status)


def results(response):
    return [r["result"] for r in response.json["results"]]


def first_errors(response):
    return [(r["errors"][0]["field"], r["errors"][0]["message"]) if "errors" in r else None
            for r in response.json["results"]]


def stored(dbsession, model, external_id):
    dbsession.expire_all()
    return dbsession.scalars(select(model).where(model.external_id == external_id)).first()


@pytest.fixture
def parties(dbsession):
    acme, other = PartyFactory(external_id="F-ACME"), PartyFactory(external_id="F-OTHER")
    ContractFactory(party=acme, external_id="F-K-1", number="K-1")
    ContractFactory(party=other, external_id="F-K-OTHER", number="K-9")
    return acme, other


def invoice_row(external_id="F-INV-1", **kw):
    row = {"external_id": external_id, "party": "F-ACME", "contract": "F-K-1", "number": f"N-{external_id}",
           "issue_date": "2026-03-01", "due_date": "2026-03-15", "period_start": "2026-02-01",
           "period_end": "2026-02-28",
           "lines": [{"text": "Electricity", "quantity": "3", "unit": "kWh", "price": "33.3333", "vat_rate": "20"},
                     {"text": "Penalty", "quantity": 2, "unit": "day", "price": 10.5, "vat_rate": 0}]}
    row.update(kw)
    return row


INVOICES = "/api/v1/invoices"
PAYMENTS = "/api/v1/payments"
BALANCES = "/api/v1/balances"


# --- invoices -----------------------------------------------------------------------------------
def test_an_invoice_is_created_with_the_totals_of_its_lines_then_unchanged_then_updated(
        testapp, dbsession, write_key, parties):
    assert results(post(testapp, write_key, INVOICES, invoice_row())) == ["created"]
    invoice = stored(dbsession, Invoice, "F-INV-1")
    # 3 × 33.3333 = 99.9999 → 100.00 net, 20.00 VAT; 2 × 10.50 = 21.00 without VAT.
    assert (invoice.net_amount, invoice.vat_amount, invoice.total_amount) == (
        Decimal("121.00"), Decimal("20.00"), Decimal("141.00"))
    assert [line.description for line in invoice.lines] == ["Electricity", "Penalty"]
    assert invoice.party.external_id == "F-ACME" and invoice.contract.external_id == "F-K-1"
    with statements(dbsession) as seen:
        assert results(post(testapp, write_key, INVOICES, invoice_row(total_amount="141.00"))) == ["unchanged"]
    assert not [s for s in seen if "INSERT INTO invoice" in s or s.lstrip().upper().startswith("UPDATE INVOICE")]
    changed = invoice_row(lines=[{"text": "Water", "quantity": "10", "unit": "m3", "price": "2", "vat_rate": "10"}])
    assert results(post(testapp, write_key, INVOICES, changed)) == ["updated"]
    invoice = stored(dbsession, Invoice, "F-INV-1")
    assert [line.description for line in invoice.lines] == ["Water"] and invoice.total_amount == Decimal("22.00")
    assert results(post(testapp, write_key, INVOICES, {k: v for k, v in changed.items() if k != "lines"}
                        | {"number": "N-renamed"})) == ["updated"]
    invoice = stored(dbsession, Invoice, "F-INV-1")
    assert invoice.number == "N-renamed" and [line.description for line in invoice.lines] == ["Water"]


def test_bad_invoice_rows_are_refused_one_by_one(testapp, dbsession, write_key, parties):
    post(testapp, write_key, INVOICES, invoice_row("F-INV-9", number="TAKEN"))
    body = {"items": [
        invoice_row("F-INV-1"),
        invoice_row("F-INV-2", due_date="2026-02-01"),
        invoice_row("F-INV-3", party="F-NOBODY"),
        invoice_row("F-INV-4", lines=[{"text": "x", "quantity": "1", "unit": "h", "price": "1.00001",
                                       "vat_rate": "20"}]),
        invoice_row("F-INV-5", total_amount="141.01"),
        invoice_row("F-INV-6", contract="F-K-OTHER"),
        invoice_row("F-INV-7", number="TAKEN"),
        invoice_row("F-INV-8", currency="rub"),
        {k: v for k, v in invoice_row("F-INV-10").items() if k != "lines"},
        invoice_row("F-INV-11", lines=[{"text": "x", "quantity": "9999999999.999", "unit": "h",
                                        "price": "99999.9999", "vat_rate": "20"}]),
    ]}
    response = post(testapp, write_key, INVOICES, body)
    assert results(response) == ["created"] + ["error"] * 9
    fields = [error[0] for error in first_errors(response)[1:]]
    assert fields == ["due_date", "party", "lines.0.price", "total_amount", "contract", "number", "currency",
                      "lines", "lines"]
    messages = dict(first_errors(response)[1:])
    assert messages["party"] == "No party has the external id F-NOBODY."
    assert messages["total_amount"] == "The lines add up to 141.00."
    assert messages["lines.0.price"] == "At most 4 digits after the decimal point."
    assert stored(dbsession, Invoice, "F-INV-1") is not None
    assert all(stored(dbsession, Invoice, f"F-INV-{n}") is None for n in range(2, 9))


def test_a_contract_that_has_not_arrived_is_left_out_with_a_warning(testapp, dbsession, write_key, parties):
    response = post(testapp, write_key, INVOICES, invoice_row(contract="F-K-LATER"))
    assert results(response) == ["created"]
    assert response.json["results"][0]["warnings"][0]["field"] == "contract"
    assert stored(dbsession, Invoice, "F-INV-1").contract is None


def test_an_invoice_reads_back_and_is_cancelled_by_delete(testapp, dbsession, write_key, read_key, parties):
    post(testapp, write_key, INVOICES, invoice_row())
    dbsession.expire_all()  # read as a new request would: from the database
    read = testapp.get(f"{INVOICES}/F-INV-1", headers=bearer(read_key)).json
    assert read["lines"][0] == {"text": "Electricity", "quantity": "3.000", "unit": "kWh", "price": "33.3333",
                                "vat_rate": "20.00"}
    assert (read["party"], read["contract"], read["total_amount"], read["cancelled"], read["pdf"]) == (
        "F-ACME", "F-K-1", "141.00", False, None)
    testapp.delete(f"{INVOICES}/F-INV-1", headers=bearer(read_key), status=403)
    assert testapp.delete(f"{INVOICES}/F-INV-1", headers=bearer(write_key)).json["result"] == "deleted"
    invoice = stored(dbsession, Invoice, "F-INV-1")
    assert invoice.cancelled and invoice.state_on(date(2026, 3, 2)) == InvoiceState.cancelled
    assert testapp.get(f"{INVOICES}/F-INV-1", headers=bearer(read_key)).json["cancelled"] is True
    testapp.delete(f"{INVOICES}/F-INV-404", headers=bearer(write_key), status=404)


def test_the_accounting_systems_pdf_is_checked_stored_and_read_back(testapp, dbsession, write_key, parties):
    pdf = base64.b64encode(pdf_bytes("Invoice F-INV-1")).decode()
    assert results(post(testapp, write_key, INVOICES, invoice_row(pdf=pdf))) == ["created"]
    assert stored(dbsession, Invoice, "F-INV-1").pdf_sha256
    assert testapp.get(f"{INVOICES}/F-INV-1", headers=bearer(write_key)).json["pdf"] == pdf
    assert results(post(testapp, write_key, INVOICES, invoice_row(pdf=pdf))) == ["unchanged"]
    not_a_pdf = base64.b64encode(b"GIF89a...").decode()
    response = post(testapp, write_key, INVOICES, {"items": [invoice_row(pdf=not_a_pdf), invoice_row(
        "F-INV-2", pdf="%%% not base64")]})
    assert [e[0] for e in first_errors(response)] == ["pdf", "pdf"]
    assert results(post(testapp, write_key, INVOICES, invoice_row(pdf=None))) == ["updated"]
    assert stored(dbsession, Invoice, "F-INV-1").pdf_sha256 is None


def test_an_invoice_cannot_move_to_another_party(testapp, dbsession, write_key, parties):
    post(testapp, write_key, INVOICES, invoice_row())
    response = post(testapp, write_key, INVOICES, invoice_row(party="F-OTHER", contract=None))
    assert first_errors(response) == [("party", "The invoice belongs to another party; it cannot move to another.")]
    assert stored(dbsession, Invoice, "F-INV-1").party.external_id == "F-ACME"


LINES = st.lists(st.tuples(st.sampled_from(["1", "2.5", "10"]), st.sampled_from(["1.00", "3.3333", "99"]),
                           st.sampled_from(["0", "10", "20"])), min_size=1, max_size=3)
ROWS = st.lists(st.tuples(st.sampled_from(["F-P-a", "F-P-b", "F-P-c"]), st.sampled_from(["A", "B", "C"]),
                          LINES, st.booleans()), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batches=st.lists(ROWS, min_size=1, max_size=4))
def test_any_sequence_of_invoice_upserts_ends_in_the_last_payload(testapp, dbsession, write_key, parties, batches):
    last = {}
    for rows in batches:
        items = {}
        for external_id, number, lines, cancelled in rows:
            items[external_id] = invoice_row(external_id, number=f"{number}-{external_id}", cancelled=cancelled,
                                             lines=[{"text": "Line", "quantity": q, "unit": "h", "price": p,
                                                     "vat_rate": v} for q, p, v in lines])
        assert "error" not in results(post(testapp, write_key, INVOICES, {"items": list(items.values())}))
        last.update(items)
    for external_id, row in last.items():
        invoice = stored(dbsession, Invoice, external_id)
        assert (invoice.number, invoice.cancelled) == (row["number"], row["cancelled"])
        assert [(line.quantity, line.unit_price, line.vat_rate) for line in invoice.lines] == [
            (Decimal(line["quantity"]), Decimal(line["price"]), Decimal(line["vat_rate"])) for line in row["lines"]]
        assert invoice.total_amount == sum((line.total_amount for line in invoice.lines), Decimal(0))


# --- payments -----------------------------------------------------------------------------------
def paid(dbsession, external_id):
    return stored(dbsession, Invoice, external_id).paid_amount


@pytest.fixture
def invoices(testapp, write_key, parties):
    """Two invoices of F-ACME of 141.00 each, one in euros, and one of F-OTHER."""
    post(testapp, write_key, INVOICES, {"items": [
        invoice_row("F-INV-1"), invoice_row("F-INV-2"), invoice_row("F-INV-EUR", currency="EUR"),
        invoice_row("F-INV-OTHER", party="F-OTHER", contract="F-K-OTHER")]})


def payment_row(external_id="F-PAY-1", **kw):
    row = {"external_id": external_id, "party": "F-ACME", "paid_on": "2026-03-10", "amount": "200.00",
           "purpose": "Invoices 1 and 2", "number": "17",
           "allocations": [{"invoice": "F-INV-2", "amount": "59.00"}, {"invoice": "F-INV-1", "amount": "141.00"}]}
    row.update(kw)
    return row


def test_a_payment_pays_its_invoices_and_a_new_allocation_replaces_the_old(testapp, dbsession, write_key, invoices):
    assert results(post(testapp, write_key, PAYMENTS, payment_row())) == ["created"]
    assert (paid(dbsession, "F-INV-1"), paid(dbsession, "F-INV-2")) == (Decimal("141.00"), Decimal("59.00"))
    reordered = payment_row(allocations=list(reversed(payment_row()["allocations"])))
    assert results(post(testapp, write_key, PAYMENTS, reordered)) == ["unchanged"]
    moved = payment_row(allocations=[{"invoice": "F-INV-2", "amount": "141.00"}])
    assert results(post(testapp, write_key, PAYMENTS, moved)) == ["updated"]
    assert (paid(dbsession, "F-INV-1"), paid(dbsession, "F-INV-2")) == (Decimal("0.00"), Decimal("141.00"))
    payment = stored(dbsession, Payment, "F-PAY-1")
    assert [(a.invoice.external_id, a.amount) for a in payment.allocations] == [("F-INV-2", Decimal("141.00"))]
    assert results(post(testapp, write_key, PAYMENTS, payment_row(allocations=[]))) == ["updated"]
    assert paid(dbsession, "F-INV-2") == Decimal("0.00")
    assert stored(dbsession, Invoice, "F-INV-2").state_on(date(2026, 3, 2)) == InvoiceState.open


def test_bad_payment_rows_are_refused_and_pay_nothing(testapp, dbsession, write_key, invoices):
    post(testapp, write_key, PAYMENTS, payment_row("F-PAY-0", amount="100.00",
                                                   allocations=[{"invoice": "F-INV-1", "amount": "100.00"}]))
    response = post(testapp, write_key, PAYMENTS, {"items": [
        payment_row("F-PAY-1", allocations=[{"invoice": "F-INV-1", "amount": "41.01"}]),
        payment_row("F-PAY-2", allocations=[{"invoice": "F-INV-OTHER", "amount": "1.00"}]),
        payment_row("F-PAY-3", allocations=[{"invoice": "F-INV-EUR", "amount": "1.00"}]),
        payment_row("F-PAY-4", amount="10.00", allocations=[{"invoice": "F-INV-2", "amount": "11.00"}]),
        payment_row("F-PAY-5", amount="0"),
        payment_row("F-PAY-6", allocations=[{"invoice": "F-INV-2", "amount": "1"}, {"invoice": "F-INV-2",
                                                                                     "amount": "2"}]),
        payment_row("F-PAY-7", party="F-NOBODY"),
        payment_row("F-PAY-8", allocations=[{"invoice": "F-INV-1", "amount": "41.00"}]),
    ]})
    assert results(response) == ["error"] * 7 + ["created"]
    errors = first_errors(response)
    assert errors[0] == ("allocations", "The invoice F-INV-1 has 41.00 left to pay, less than 41.01.")
    assert [e[0] for e in errors[1:7]] == ["allocations", "allocations", "allocations", "amount", "allocations",
                                           "party"]
    assert errors[3][1] == "The allocations add up to more than the payment."
    assert paid(dbsession, "F-INV-1") == Decimal("141.00") and paid(dbsession, "F-INV-2") == Decimal("0.00")
    assert stored(dbsession, Payment, "F-PAY-1") is None


def test_an_invoice_not_arrived_yet_is_left_out_of_the_payment_with_a_warning(testapp, dbsession, write_key,
                                                                              invoices):
    response = post(testapp, write_key, PAYMENTS, payment_row(allocations=[
        {"invoice": "F-INV-1", "amount": "100.00"}, {"invoice": "F-INV-LATER", "amount": "50.00"}]))
    assert results(response) == ["created"]
    assert response.json["results"][0]["warnings"][0]["field"] == "allocations"
    assert [a.amount for a in stored(dbsession, Payment, "F-PAY-1").allocations] == [Decimal("100.00")]


def test_a_payment_reads_back_and_is_never_deleted(testapp, dbsession, write_key, invoices):
    post(testapp, write_key, PAYMENTS, payment_row())
    assert testapp.get(f"{PAYMENTS}/F-PAY-1", headers=bearer(write_key)).json == {
        "external_id": "F-PAY-1", "party": "F-ACME", "paid_on": "2026-03-10", "amount": "200.00", "currency": "RUB",
        "number": "17", "purpose": "Invoices 1 and 2",
        "allocations": [{"invoice": "F-INV-1", "amount": "141.00"}, {"invoice": "F-INV-2", "amount": "59.00"}]}
    testapp.delete(f"{PAYMENTS}/F-PAY-1", headers=bearer(write_key), status=405)
    testapp.get(f"{PAYMENTS}/F-PAY-404", headers=bearer(write_key), status=404)


# --- balances -----------------------------------------------------------------------------------
def balance_row(external_id="F-BAL-1", **kw):
    row = {"external_id": external_id, "party": "F-ACME", "kind": "operational", "as_of": "2026-03-31",
           "amount": "-1500.50", "services_amount": "1000.00", "prepayments_amount": "2500.50"}
    row.update(kw)
    return row


def test_a_balance_is_created_unchanged_updated_and_moved(testapp, dbsession, write_key, parties):
    assert results(post(testapp, write_key, BALANCES, balance_row())) == ["created"]
    assert results(post(testapp, write_key, BALANCES, balance_row())) == ["unchanged"]
    assert results(post(testapp, write_key, BALANCES, balance_row(amount="10", as_of="2026-04-30"))) == ["updated"]
    balance = stored(dbsession, Balance, "F-BAL-1")
    assert (balance.amount, balance.as_of, balance.services_amount) == (Decimal("10.00"), date(2026, 4, 30),
                                                                        Decimal("1000.00"))
    assert dbsession.scalars(select(Balance).where(Balance.party_id == parties[0].id)).all() == [balance]
    read = testapp.get(f"{BALANCES}/F-BAL-1", headers=bearer(write_key)).json
    assert (read["party"], read["amount"], read["kind"], read["penalties_amount"]) == ("F-ACME", "10.00",
                                                                                      "operational", None)
    testapp.delete(f"{BALANCES}/F-BAL-1", headers=bearer(write_key), status=405)


def test_bad_balance_rows_are_refused(testapp, dbsession, write_key, parties):
    post(testapp, write_key, BALANCES, balance_row())
    response = post(testapp, write_key, BALANCES, {"items": [
        balance_row("F-BAL-2"), balance_row("F-BAL-3", kind="ledger"), balance_row("F-BAL-4", party="F-NOBODY"),
        balance_row("F-BAL-5", kind="accounting", amount="1e20"),
        balance_row("F-BAL-6", kind="accounting", as_of=(date(2026, 3, 31) - timedelta(days=1)).isoformat())]})
    assert results(response) == ["error"] * 4 + ["created"]
    assert [e[0] for e in first_errors(response)[:4]] == ["as_of", "kind", "party", "amount"]
    assert first_errors(response)[0][1] == "The party has another operational balance in RUB as of that day."


def test_an_unchanged_batch_looks_its_invoices_up_at_once(testapp, dbsession, write_key, parties):
    batch = {"items": [invoice_row(f"F-INV-{n}", number=f"N-{n}") for n in range(1, 31)]}
    assert results(post(testapp, write_key, INVOICES, batch)) == ["created"] * 30
    with statements(dbsession) as seen:
        assert results(post(testapp, write_key, INVOICES, batch)) == ["unchanged"] * 30
    lookups = [s for s in seen if "FROM invoices" in s]
    assert len(lookups) == 1 and not [s for s in seen if s.lstrip().upper().startswith(("SAVEPOINT", "INSERT INTO INV"))]


def test_a_new_batch_writes_its_invoices_in_as_many_statements_whatever_its_length(
        testapp, dbsession, write_key, parties):
    def sent(first, rows):
        batch = {"items": [invoice_row(f"F-NEW-{n}") for n in range(first, first + rows)]}
        with statements(dbsession) as seen:
            assert results(post(testapp, write_key, INVOICES, batch)) == ["created"] * rows
        return seen

    def inserts(seen):
        return [s for s in seen if s.lstrip().upper().startswith(
            ("INSERT INTO INVOICES", "INSERT INTO INVOICE_LINES", "COPY INVOICES", "COPY INVOICE_LINES"))]

    sent(200, 1)  # the party is known from then on (a session keeps the parties a batch named)
    few, many = sent(0, 3), sent(100, 30)
    # Its records, parties, contracts and the numbers taken: a query each for the chunk, whatever its length.
    assert len(many) - len(inserts(many)) == len(few) - len(inserts(few))
    assert len([s for s in many if "FROM contracts" in s]) == 1
    if dbsession.get_bind().dialect.name == "postgresql":  # SQLite inserts a row at a time, in process
        assert len(inserts(many)) == 2  # the invoices, and their lines
    assert stored(dbsession, Invoice, "F-NEW-129").contract.external_id == "F-K-1"


def test_two_rows_of_a_chunk_taking_one_number_the_first_has_it(testapp, dbsession, write_key, parties):
    body = {"items": [invoice_row("F-INV-1", number="N-1"), invoice_row("F-INV-2", number="N-1"),
                      invoice_row("F-INV-3", number="N-1", party="F-OTHER", contract=None)]}
    response = post(testapp, write_key, INVOICES, body)
    assert results(response) == ["created", "error", "created"]  # the other party's N-1 is its own
    assert first_errors(response)[1] == ("number", "The party has another invoice numbered N-1 (F-INV-1).")
    assert stored(dbsession, Invoice, "F-INV-2") is None


def test_a_number_freed_earlier_in_the_chunk_is_free_for_a_row_after(testapp, dbsession, write_key, parties):
    post(testapp, write_key, INVOICES, {"items": [invoice_row("F-INV-1", number="N-1"),
                                                  invoice_row("F-INV-2", number="N-2")]})
    freed = {"items": [invoice_row("F-INV-1", number="N-9"), invoice_row("F-INV-3", number="N-1")]}
    assert results(post(testapp, write_key, INVOICES, freed)) == ["updated", "created"]
    swapped = post(testapp, write_key, INVOICES, {"items": [invoice_row("F-INV-3", number="N-2"),
                                                            invoice_row("F-INV-2", number="N-1")]})
    assert first_errors(swapped) == [("number", "The party has another invoice numbered N-2 (F-INV-2)."),
                                     ("number", "The party has another invoice numbered N-1 (F-INV-3).")]
    numbers = {n: stored(dbsession, Invoice, f"F-INV-{n}").number for n in (1, 2, 3)}
    assert numbers == {1: "N-9", 2: "N-2", 3: "N-1"}


def test_bad_rows_in_a_chunk_cost_it_no_savepoint_a_row(testapp, dbsession, write_key, parties):
    rows = [invoice_row(f"F-INV-{n}", number=f"N-{n}") for n in range(30)]
    rows[5]["party"], rows[17]["number"], rows[29]["total_amount"] = "F-NOBODY", "N-3", "1.00"
    with statements(dbsession) as seen:
        response = post(testapp, write_key, INVOICES, {"items": rows})
    assert results(response) == ["created"] * 5 + ["error"] + ["created"] * 11 + ["error"] + ["created"] * 11 + [
        "error"]
    assert [e[0] for e in first_errors(response) if e] == ["party", "number", "total_amount"]
    savepoints = [s for s in seen if s.lstrip().upper().startswith("SAVEPOINT")]
    assert len(savepoints) < 10  # a chunk and the rows before each bad one again: not one a row
    assert {n for n in range(30) if stored(dbsession, Invoice, f"F-INV-{n}")} == set(range(30)) - {5, 17, 29}
