"""Invoice PDFs (read back as text), the accounting system's stored PDF, and ZIPs of chosen invoices."""
import hashlib
import io
import os
import zipfile
from urllib.parse import parse_qsl, unquote, urlsplit

import webtest

import portal
from portal.attachments.services import IAttachmentService
from tests.conftest import login
from tests.pdf_text import pdf_images, pdf_text


def png(path, colour):
    """A small PNG of one colour (Pillow comes with weasyprint)."""
    from PIL import Image

    Image.new("RGB", (40, 20), colour).save(path)
    return str(path)


def pdf_of(testapp, books, key):
    invoice = books["invoices"][key]
    return testapp.get(f"/p/{books['party'].id}/invoices/{invoice.id}/pdf")


def test_the_invoice_pdf_says_its_number_total_and_the_customers_cyrillic_name(testapp, books):
    login(testapp, books["user"].login)
    response = pdf_of(testapp, books, "partial")
    assert response.content_type == "application/pdf" and response.body.startswith(b"%PDF-")
    text = pdf_text(response.body)
    assert "Invoice № СЧ-0002" in text
    assert "Счётная Энергия" in text and "Передача электроэнергии" in " ".join(text.split())
    assert "Total RUB2,400.00" in text and "Remainder RUB1,440.00" in text and "RUB960.00 (40 %)" in text
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="invoice-_-0002.pdf"')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Invoice СЧ-0002.pdf"


def test_a_russian_reader_gets_russian_dates_and_money(testapp, dbsession, books):
    books["user"].language = "ru"
    dbsession.flush()
    login(testapp, books["user"].login)
    text = pdf_text(pdf_of(testapp, books, "partial").body)
    assert "2 400,00 ₽" in text and "960,00 ₽" in text


def test_the_letterhead_comes_from_the_settings(app_settings, tm, dbsession, books, tmp_path):
    logo, stamp = png(tmp_path / "logo.png", "navy"), png(tmp_path / "stamp.png", "blue")
    app = portal.main({}, **dict(app_settings, **{
        "portal.company.name": "ООО «Северная Сбытовая Компания»", "portal.company.tax_id": "7700111222",
        "portal.company.address": "Москва, Тверская 1", "portal.company.bank": "ПАО Банк, р/с 40702810000000000001",
        "portal.company.logo": logo, "portal.company.stamp": stamp}))
    browser = webtest.TestApp(app, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                                  "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    login(browser, books["user"].login)
    body = pdf_of(browser, books, "open").body
    text = pdf_text(body)
    assert "ООО «Северная Сбытовая Компания»" in text and "7700111222" in text
    assert "Москва, Тверская 1" in text and "р/с 40702810000000000001" in text
    assert pdf_images(body) == 2  # the logo and the stamp, embedded from the local files


def test_the_stored_pdf_of_the_accounting_system_is_served_instead(testapp, dbsession, app, books):
    stored = b"%PDF-1.4\n% the accounting system's own invoice\n%%EOF\n"
    digest = hashlib.sha256(stored).hexdigest()
    path = app.registry["upload_policy"].directory
    target = os.path.join(path, digest[:2], digest)
    os.makedirs(os.path.dirname(target), exist_ok=True)
    with open(target, "wb") as f:
        f.write(stored)
    invoice = books["invoices"]["paid"]
    invoice.pdf_sha256 = digest
    dbsession.flush()
    login(testapp, books["user"].login)
    assert pdf_of(testapp, books, "paid").body == stored
    archive = zipfile.ZipFile(io.BytesIO(testapp.get(
        f"/p/{books['party'].id}/invoices/zip?id={invoice.id}&id={books['invoices']['open'].id}").body))
    assert archive.read("Invoice СЧ-0001.pdf") == stored
    os.unlink(target)
    # Gone from the store: the portal prints its own rather than fail.
    assert "Invoice № СЧ-0001" in pdf_text(pdf_of(testapp, books, "paid").body)


def test_a_zip_holds_the_chosen_invoices_pdfs(testapp, books):
    login(testapp, books["user"].login)
    inv = books["invoices"]
    ids = [inv["overdue"].id, inv["partial"].id, inv["euro"].id]
    response = testapp.get(f"/p/{books['party'].id}/invoices/zip", params=[("id", i) for i in ids + [ids[0]]])
    assert response.content_type == "application/zip"
    assert unquote(response.headers["Content-Disposition"].split("filename*=UTF-8''")[1]) == \
        "Invoices Счётная Энергия.zip"
    archive = zipfile.ZipFile(io.BytesIO(response.body))
    assert archive.testzip() is None
    assert archive.namelist() == ["Invoice СЧ-0003.pdf", "Invoice СЧ-0002.pdf", "Invoice EU-0006.pdf"]
    assert "Invoice № СЧ-0003" in pdf_text(archive.read("Invoice СЧ-0003.pdf"))
    assert "Total €300.00" in pdf_text(archive.read("Invoice EU-0006.pdf"))


def test_the_list_page_offers_its_pdfs_as_a_zip_and_checkboxes_to_choose(testapp, books):
    login(testapp, books["user"].login)
    page = testapp.get(f"/p/{books['party'].id}/invoices/")
    form = page.forms["invoices-zip"]
    boxes = form.fields["id"]
    assert len(boxes) == 6
    boxes[0].checked = True
    boxes[2].checked = True
    archive = zipfile.ZipFile(io.BytesIO(form.submit().body))
    assert archive.namelist() == ["Invoice СЧ-0004.pdf", "Invoice СЧ-0002.pdf"]
    link = next(a["href"] for a in page.html.select("p.actions a"))
    listed = [int(box["value"]) for box in page.html.select("form#invoices-zip input[name=id]")]
    assert [int(v) for k, v in parse_qsl(urlsplit(link).query) if k == "id"] == listed


def test_a_zip_naming_another_partys_invoice_is_refused_whole(testapp, books):
    login(testapp, books["user"].login)
    party, own = books["party"].id, books["invoices"]["open"].id
    testapp.get(f"/p/{party}/invoices/zip?id={own}&id={books['foreign'].id}", status=404)
    testapp.get(f"/p/{party}/invoices/zip?id={own}&id=99999999", status=404)
    testapp.get(f"/p/{party}/invoices/zip?id={own}&id=abc", status=404)
    testapp.get(f"/p/{party}/invoices/zip?id={own}&id=99999999999", status=404)
    # Through the other party's URL: that party is not this user's.
    testapp.get(f"/p/{books['other'].id}/invoices/zip?id={books['foreign'].id}", status=404)


def test_a_zip_of_nothing_or_too_many_is_refused_with_a_message(testapp, books):
    login(testapp, books["user"].login)
    base = f"/p/{books['party'].id}/invoices/"
    page = testapp.get(base + "zip", status=303).follow()
    assert "Choose the invoices to download first." in page.text
    many = "&".join(f"id={n}" for n in range(1, 102))
    page = testapp.get(f"{base}zip?{many}", status=303).follow()
    assert "At most 100 invoices fit in one download; you chose 101." in page.text


def test_the_zip_is_made_while_it_streams(app, testapp, books):
    """The view returns before any PDF is made: each one is rendered when the download reaches it."""
    from portal.views import archives

    made = []
    real = archives.zip_stream

    def counting(request, members):
        members = [(name, (lambda make=make, name=name: made.append(name) or make())) for name, make in members]
        return real(request, members)

    login(testapp, books["user"].login)
    inv = books["invoices"]
    archives.zip_stream = counting
    try:
        environ = dict(testapp.extra_environ, HTTP_COOKIE="; ".join(f"{k}={v}" for k, v in testapp.cookies.items()),
                       PATH_INFO=f"/p/{books['party'].id}/invoices/zip", QUERY_STRING=f"id={inv['open'].id}&id={inv['paid'].id}",
                       REQUEST_METHOD="GET", SERVER_NAME="localhost", SERVER_PORT="80", HTTP_HOST="localhost",
                       **{"wsgi.url_scheme": "http", "wsgi.input": io.BytesIO()})
        body = app(environ, lambda status, headers: None)
        assert made == []
        first = next(iter(body))
        assert made == ["Invoice СЧ-0004.pdf"] and first.startswith(b"PK")
        rest = b"".join(body)
        assert made == ["Invoice СЧ-0004.pdf", "Invoice СЧ-0001.pdf"]
    finally:
        archives.zip_stream = real
    assert zipfile.ZipFile(io.BytesIO(first + rest)).namelist() == made


def test_a_stored_pdf_that_names_no_hash_is_never_read(app, dbsession, books):
    """A value that is not a SHA-256 never becomes a path (the store refuses it): our PDF is printed."""
    from types import SimpleNamespace

    from portal.attachments.services import AttachmentService
    from portal.finance.services.documents import invoice_document
    from portal.finance.views.documents import stored_pdf_path

    service = AttachmentService(dbsession, app.registry["upload_policy"])
    request = SimpleNamespace(find_service=lambda iface: service if iface is IAttachmentService else None)
    invoice = books["invoices"]["open"]
    invoice.pdf_sha256 = "../../../../etc/passwd"
    assert stored_pdf_path(request, invoice_document(invoice, invoice.issue_date)) is None
