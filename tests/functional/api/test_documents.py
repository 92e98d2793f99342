"""Documents of the library through ``/api/v1/documents``: published as staff publish them (the file
checked as an upload is, audited), a new file a new version, refused per row, read back, withdrawn by
DELETE, and shown only to the companies they are meant for."""
import base64

import pytest
import webtest
from sqlalchemy import select

import portal
from portal.audit.models import AuditEntry
from portal.documents.models import Document, DocumentVersion
from portal.documents.services.publishing import audience_of
from tests.conftest import login
from tests.factories import PartyFactory, customer
from tests.factories import documents as make
from tests.functional.api.conftest import bearer
from tests.functional.api.test_finance import first_errors, post, results, stored

URL = "/api/v1/documents"


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


PDF_1, PDF_2 = make.pdf_bytes("Version one"), make.pdf_bytes("Version two")


@pytest.fixture
def library(dbsession):
    acme, other = PartyFactory(external_id="D-ACME"), PartyFactory(external_id="D-OTHER")
    make.folder(dbsession, "Contracts", "Договоры")
    make.folder(dbsession, None, "Бланки")
    make.party_group(dbsession, "Dealers", [acme])
    return acme, other


def document_row(external_id="D-DOC-1", **kw):
    return {"external_id": external_id, "title_en": "Supply contract", "title_ru": "Договор поставки",
            "folder": "Contracts", "tags": ["Contract", " 2026 ", "contract"], "visibility": "chosen",
            "parties": ["D-ACME"], "groups": ["Dealers"], "valid_from": "2026-01-01",
            "filename": "scans/contract.pdf", "content": b64(PDF_1), **kw}


def versions(dbsession, document):
    return dbsession.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)
                             .order_by(DocumentVersion.number)).all()


def test_a_document_is_published_unchanged_and_versioned(testapp, dbsession, write_key, library):
    assert results(post(testapp, write_key, URL, document_row())) == ["created"]
    document = stored(dbsession, Document, "D-DOC-1")
    parties, groups = audience_of(dbsession, document)
    assert (document.tags, document.visibility, document.state) == ("2026, contract", "chosen", "published")
    assert ([p.external_id for p in parties], [g.name for g in groups]) == (["D-ACME"], ["Dealers"])
    assert [(v.number, v.filename) for v in versions(dbsession, document)] == [(1, "contract.pdf")]
    assert dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "document.create",
                                                      AuditEntry.target == f"document:{document.id}")).first()
    assert results(post(testapp, write_key, URL, document_row(tags=["2026", "CONTRACT"]))) == ["unchanged"]
    assert results(post(testapp, write_key, URL, document_row(title_en="Supply contract 2026"))) == ["updated"]
    assert len(versions(dbsession, document)) == 1
    assert results(post(testapp, write_key, URL, document_row(content=b64(PDF_2)))) == ["updated"]
    assert [v.number for v in versions(dbsession, document)] == [1, 2]
    assert stored(dbsession, Document, "D-DOC-1").version == 2
    read = testapp.get(f"{URL}/D-DOC-1", headers=bearer(write_key)).json
    assert base64.b64decode(read["content"]) == PDF_2
    assert (read["folder"], read["tags"], read["parties"], read["groups"], read["filename"]) == (
        "Contracts", ["2026", "contract"], ["D-ACME"], ["Dealers"], "contract.pdf")
    assert results(post(testapp, write_key, URL, {k: v for k, v in document_row(
        "D-DOC-2", folder="Бланки", visibility="all", parties=[], groups=[]).items()})) == ["created"]
    assert stored(dbsession, Document, "D-DOC-2").folder_id is not None


def test_only_the_companies_it_is_meant_for_are_shown_it(testapp, dbsession, write_key, library):
    acme, other = library
    post(testapp, write_key, URL, document_row(groups=[]))
    for user, party, shown in ((customer(acme), acme, True), (customer(other), other, False)):
        browser = webtest.TestApp(testapp.app, extra_environ=dict(testapp.extra_environ))
        login(browser, user.login)
        assert ("Supply contract" in browser.get(f"/p/{party.id}/documents/").text) is shown
    testapp.delete(f"{URL}/D-DOC-1", headers=bearer(write_key))
    browser = webtest.TestApp(testapp.app, extra_environ=dict(testapp.extra_environ))
    login(browser, customer(acme).login)
    assert "Supply contract" not in browser.get(f"/p/{acme.id}/documents/").text


def test_bad_document_rows_are_refused_one_by_one(testapp, dbsession, write_key, library):
    text = b64(b"plain text, not a PDF")
    response = post(testapp, write_key, URL, {"items": [
        document_row("D-1", title_en=None, title_ru=None),
        document_row("D-2", folder="Nowhere"),
        document_row("D-3", content=text),
        document_row("D-4", filename=None),
        document_row("D-5", parties=[], groups=[]),
        document_row("D-6", parties=["D-NOBODY"]),
        document_row("D-7", groups=["Nobody"]),
        document_row("D-8", visibility="all"),
        document_row("D-9", valid_to="2025-01-01"),
        {k: v for k, v in document_row("D-10").items() if k not in ("content", "filename")},
        document_row("D-11", filename="contract.exe"),
        document_row("D-12", content="not base64!"),
        document_row("D-14", tags=[f"{n:02d}" + "x" * 48 for n in range(20)]),
        document_row("D-13"),
    ]})
    assert results(response) == ["error"] * 13 + ["created"]
    assert [e[0] for e in first_errors(response)[:13]] == [
        "title_en", "folder", "content", "filename", "parties", "parties", "groups", "parties", "valid_to",
        "content", "content", "content", "tags"]
    messages = [e[1] for e in first_errors(response) if e]
    assert messages[2] == "The file's content does not match its extension “.pdf”."
    assert messages[10].startswith("Files of this type are not accepted.")
    assert [d.external_id for d in dbsession.scalars(select(Document).where(Document.external_id.like("D-%")))] == [
        "D-13"]


def test_a_file_over_the_upload_limit_is_refused_as_an_upload_is(app_settings, tm, dbsession, write_key, library):
    small = portal.main({}, **dict(app_settings, **{"portal.uploads.max_bytes": "100"}))
    client = webtest.TestApp(small, extra_environ={"HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
                                                   "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession})
    response = post(client, write_key, URL, document_row())
    assert first_errors(response) == [("content", "The file is larger than the limit of 100 B.")]


def test_a_withdrawn_document_stays_withdrawn(testapp, dbsession, write_key, library):
    post(testapp, write_key, URL, document_row())
    assert testapp.delete(f"{URL}/D-DOC-1", headers=bearer(write_key)).json["result"] == "deleted"
    assert stored(dbsession, Document, "D-DOC-1").state == "withdrawn"
    assert testapp.get(f"{URL}/D-DOC-1", headers=bearer(write_key)).json["state"] == "withdrawn"
    response = post(testapp, write_key, URL, document_row(title_en="Back again"))
    assert first_errors(response) == [("state", "The document has been withdrawn; it can no longer be changed.")]
    assert results(post(testapp, write_key, URL, document_row(state="withdrawn"))) == ["unchanged"]
