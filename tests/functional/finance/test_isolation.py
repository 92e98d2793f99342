"""Another party's money is not found and never listed, counted, totalled, exported, zipped or
shown in a statement: one test per resource, as a user of one party asks for the other's."""
import io
import zipfile

import openpyxl

from portal.finance.services.records import RecordRefused, upsert_payment
from tests.conftest import login

FOREIGN = ("FOREIGN-0099", "Secret foreign service", "Foreign payment purpose", "Foreign Ledger", "90901")


def leaks(text):
    return [marker for marker in FOREIGN if marker in text]


def test_another_partys_invoice_page_and_pdf_are_not_found(testapp, books):
    login(testapp, books["user"].login)
    own, other, foreign = books["party"].id, books["other"].id, books["foreign"].id
    for url in (f"/p/{own}/invoices/{foreign}/", f"/p/{own}/invoices/{foreign}/pdf",
                f"/p/{other}/invoices/{foreign}/", f"/p/{other}/invoices/{foreign}/pdf", f"/p/{other}/invoices/",
                f"/p/{other}/invoices/export.xlsx"):
        assert not leaks(testapp.get(url, status=404).text), url


def test_another_partys_payment_is_not_found(testapp, books):
    login(testapp, books["user"].login)
    own, other, foreign = books["party"].id, books["other"].id, books["foreign_payment"].id
    for url in (f"/p/{own}/payments/{foreign}/", f"/p/{other}/payments/{foreign}/", f"/p/{other}/payments/",
                f"/p/{other}/payments/export.xlsx"):
        assert not leaks(testapp.get(url, status=404).text), url


def test_lists_totals_and_exports_hold_nothing_of_another_party(testapp, books):
    login(testapp, books["user"].login)
    own = books["party"].id
    for url in (f"/p/{own}/invoices/", f"/p/{own}/invoices/?q=FOREIGN", f"/p/{own}/payments/",
                f"/p/{own}/payments/?q=Foreign", f"/p/{own}/"):
        page = testapp.get(url)
        assert not leaks(page.text), url
    searched = testapp.get(f"/p/{own}/invoices/?q=FOREIGN")
    assert "No invoice matches the filter." in searched.text and not searched.html.select("table.totals-table")
    for url in (f"/p/{own}/invoices/export.xlsx", f"/p/{own}/payments/export.xlsx"):
        sheet = openpyxl.load_workbook(io.BytesIO(testapp.get(url).body)).active
        assert not leaks(str(list(sheet.iter_rows(values_only=True)))), url


def test_a_zip_never_holds_another_partys_invoice(testapp, books):
    login(testapp, books["user"].login)
    own, foreign = books["party"].id, books["foreign"].id
    testapp.get(f"/p/{own}/invoices/zip?id={foreign}", status=404)
    archive = zipfile.ZipFile(io.BytesIO(testapp.get(f"/p/{own}/invoices/zip?id={books['invoices']['open'].id}").body))
    assert archive.namelist() == ["Invoice СЧ-0004.pdf"]


def test_a_statement_never_shows_another_partys_lines(testapp, books):
    login(testapp, books["user"].login)
    own = books["party"].id
    page = testapp.get(f"/p/{own}/statement", params={"from": "2000-01-01"})
    assert not leaks(page.text)
    links = {a["href"].split(f"/p/{own}/", 1)[1] for a in page.html.select("section.statement a")}
    assert f"invoices/{books['foreign'].id}/" not in links and f"payments/{books['foreign_payment'].id}/" not in links
    assert len(links) == 7  # the party's five live invoices and its two payments
    testapp.get(f"/p/{books['other'].id}/statement", status=404)


def test_a_payment_cannot_be_allocated_to_another_partys_invoice(dbsession, books):
    import pytest
    from sqlalchemy.exc import IntegrityError

    from portal.finance.models import PaymentAllocation

    with pytest.raises(RecordRefused):
        upsert_payment(dbsession, external_id="X-CROSS", party_id=books["party"].id, paid_on=books["foreign"].issue_date,
                       amount=books["foreign"].total_amount, allocations={books["foreign"].id: books["foreign"].total_amount})
    # And the database refuses it too, whatever writes the row.
    savepoint = dbsession.begin_nested()
    dbsession.add(PaymentAllocation(party_id=books["party"].id, payment_id=books["payments"]["paid"].id,
                                    invoice_id=books["foreign"].id, amount=1))
    with pytest.raises(IntegrityError):
        dbsession.flush()
    savepoint.rollback()
