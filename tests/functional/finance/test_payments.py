"""The payment list (filter by month, search, sort, export) and one payment with what it paid."""
import io
from datetime import timedelta

import openpyxl

from tests.conftest import login


def dates_of(page):
    return [row.select_one("td").text.strip() for row in page.html.select("table.list tbody tr")]


def purposes_of(page):
    return [row.select("td")[3].text.strip() for row in page.html.select("table.list tbody tr")]


def test_the_list_shows_the_partys_payments_and_what_each_paid(testapp, books):
    login(testapp, books["user"].login)
    page = testapp.get(f"/p/{books['party'].id}/payments/")
    assert purposes_of(page) == ["Частичная оплата СЧ-0002", "Оплата по счёту СЧ-0001"]
    first = page.html.select("table.list tbody tr")[0]
    assert "RUB1,000.00" in first.text and "СЧ-0002" in first.text and "(RUB960.00)" in first.text
    assert first.select("td a")[-1]["href"].endswith(f"/invoices/{books['invoices']['partial'].id}/")
    assert "Foreign payment purpose" not in page.text and "90901" not in page.text


def test_filter_search_and_sort(testapp, books, today):
    login(testapp, books["user"].login)
    base = f"/p/{books['party'].id}/payments/"
    month = (today - timedelta(days=80)).strftime("%Y-%m")
    assert purposes_of(testapp.get(base, params={"month": month})) == ["Оплата по счёту СЧ-0001"]
    assert purposes_of(testapp.get(base, params={"q": "ичная опл"})) == ["Частичная оплата СЧ-0002"]
    assert purposes_of(testapp.get(base, params={"sort": "-amount"}))[0] == "Оплата по счёту СЧ-0001"
    assert purposes_of(testapp.get(base, params={"month": "2026-00"})) == purposes_of(testapp.get(base))


def test_export_holds_the_listed_payments(testapp, books):
    login(testapp, books["user"].login)
    export = testapp.get(f"/p/{books['party'].id}/payments/export.xlsx", params={"sort": "amount"})
    rows = list(openpyxl.load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True))
    assert rows[0] == ("Date", "Number", "Amount", "Currency", "Purpose", "Paid invoices")
    assert [(r[1], r[2], r[5]) for r in rows[1:]] == [("502", 1000, "СЧ-0002"), ("501", 7800, "СЧ-0001")]


def test_the_payment_page_shows_the_invoices_it_paid_and_what_is_left(testapp, books):
    login(testapp, books["user"].login)
    payment = books["payments"]["partial"]
    page = testapp.get(f"/p/{books['party'].id}/payments/{payment.id}/")
    facts = page.html.select_one("dl.facts")
    values = {dt.text: dd.text for dt, dd in zip(facts.find_all("dt"), facts.find_all("dd"))}
    assert values["Amount"] == "RUB1,000.00" and values["Not allocated"] == "RUB40.00"
    row = page.html.select_one("table.list tbody tr")
    assert "СЧ-0002" in row.text and "RUB960.00" in row.text
