"""The advance schedule's PDF (read back as text): its payments in their states, the Cyrillic of its
customer and number, the reader's language, the letterhead, and the accounting system's stored PDF."""
import hashlib
import os
from unittest import mock
from urllib.parse import unquote

import webtest

import portal
from tests.conftest import login
from tests.functional.finance.test_documents import png
from tests.pdf_text import pdf_images, pdf_text


def pdf_of(browser, books, advances, key="overdue"):
    schedule = advances["schedules"][key]
    return browser.get(f"/p/{books['party'].id}/advances/{schedule.id}/pdf")


def test_the_pdf_says_its_number_payments_states_totals_and_the_customers_cyrillic_name(testapp, books, advances):
    login(testapp, books["user"].login)
    response = pdf_of(testapp, books, advances)
    assert response.content_type == "application/pdf" and response.body.startswith(b"%PDF-")
    text = pdf_text(response.body)
    assert "Advance payment schedule № ГА-0001" in text
    assert "Счётная Энергия" in text and "K-2026/1" in text
    rows = [line for line in text.splitlines() if line[:2] in ("1 ", "2 ", "3 ", "4 ") and "RUB" in line]
    assert [row.split()[-1] for row in rows] == ["Paid", "Overdue", "Planned", "Planned"]
    assert "RUB5,000.00 RUB2,000.00" in rows[1] and rows[1].split()[-2] == "RUB3,000.00"
    assert "Planned RUB20,000.00" in text and "Amount paid RUB7,000.00" in text and "Remainder RUB13,000.00" in text
    # Asked to pay what is left of the first payment not paid in full.
    assert "Please pay RUB3,000.00 by" in " ".join(text.split())
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="advance-schedule-')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Advance schedule ГА-0001.pdf"


def test_a_paid_schedule_asks_for_nothing(testapp, books, advances):
    login(testapp, books["user"].login)
    text = pdf_text(pdf_of(testapp, books, advances, "paid").body)
    assert "Remainder RUB0.00" in text and "Please pay" not in text


def test_a_russian_reader_gets_russian_words_dates_and_money(testapp, dbsession, books, advances):
    books["user"].language = "ru"
    dbsession.flush()
    login(testapp, books["user"].login)
    text = pdf_text(pdf_of(testapp, books, advances).body)
    assert "20 000,00 ₽" in text and "7 000,00 ₽" in text and "ГА-0001" in text


def test_the_letterhead_comes_from_the_settings(app_settings, tm, dbsession, books, advances, tmp_path):
    logo, stamp = png(tmp_path / "logo.png", "navy"), png(tmp_path / "stamp.png", "blue")
    app = portal.main({}, **dict(app_settings, **{
        "portal.company.name": "ООО «Северная Сбытовая Компания»", "portal.company.tax_id": "7700111222",
        "portal.company.bank": "ПАО Банк, р/с 40702810000000000001",
        "portal.company.logo": logo, "portal.company.stamp": stamp}))
    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                                  "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    login(browser, books["user"].login)
    body = pdf_of(browser, books, advances).body
    text = pdf_text(body)
    assert "ООО «Северная Сбытовая Компания»" in text and "7700111222" in text
    assert "р/с 40702810000000000001" in text
    assert pdf_images(body) == 2


def test_the_stored_pdf_of_the_accounting_system_is_served_instead(testapp, dbsession, app, books, advances):
    stored = b"%PDF-1.4\n% the accounting system's own advance schedule\n%%EOF\n"
    digest = hashlib.sha256(stored).hexdigest()
    target = os.path.join(app.registry["upload_policy"].directory, digest[:2], digest)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(stored)
    advances["schedules"]["overdue"].pdf_sha256 = digest
    dbsession.flush()
    login(testapp, books["user"].login)
    assert pdf_of(testapp, books, advances).body == stored
    os.unlink(target)
    # Gone from the store: the portal prints its own rather than fail, and says so in the log.
    with mock.patch("portal.finance.views.documents.log") as log:
        assert "Advance payment schedule № ГА-0001" in pdf_text(pdf_of(testapp, books, advances).body)
    assert log.warning.call_args.args[1] == "AdvanceScheduleDocument"
