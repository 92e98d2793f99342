"""Staff publish the library through its pages: upload, change the details, replace a version (the
old ones kept), withdraw, attach to a company, folders; every action audited; a refused upload
leaves no row and no file behind."""
import io
import os

import openpyxl
import pytest
import webtest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.documents.models import (
    Document,
    DocumentFolder,
    DocumentNotice,
    DocumentParty,
    DocumentVersion,
)
from tests.factories import documents as make

PDF = make.pdf_bytes("Tariffs 2027")


@pytest.fixture
def clerk(library, as_user):
    return as_user(library.clerk)


def audit_actions(dbsession, prefix="document"):
    dbsession.flush()
    return dbsession.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith(prefix))
                             .order_by(AuditEntry.id)).all()


def store_files(app) -> set[str]:
    """Every file in the content-addressed store, temporary ones too."""
    root = app.registry["upload_policy"].directory
    return {os.path.join(d, f) for d, _dirs, files in os.walk(root) for f in files} if os.path.isdir(root) else set()


def count(dbsession, model):
    dbsession.flush()
    return dbsession.scalar(select(func.count()).select_from(model))


def upload_form(browser, **values):
    form = browser.get("/documents/new").forms["new-document"]
    for name, value in values.items():
        if name == "upload":
            form["upload"] = webtest.Upload(*value)
        elif name == "groups":
            for field in form.fields.get("checkbox", []):
                field.checked = field._value in value
        else:
            form[name] = value
    return form


def test_a_clerk_uploads_a_document_customers_are_shown(library, clerk, as_user, dbsession):
    form = upload_form(clerk, title_en="Tariffs 2027", title_ru="Тарифы 2027", folder_id=str(library.forms.id),
                       tags="Tariff, 2027 , tariff", valid_from="2020-01-01", visibility="all",
                       upload=("tariffs-2027.pdf", PDF, "application/pdf"))
    response = form.submit("submit", status=303)
    document = dbsession.scalars(select(Document).where(Document.title_en == "Tariffs 2027")).one()
    assert response.location.endswith(f"/documents/{document.id}/")
    assert document.tags == "tariff, 2027" and document.folder_id == library.forms.id
    assert document.created_by_id == library.clerk.id
    version = dbsession.scalars(select(DocumentVersion).where(DocumentVersion.document_id == document.id)).one()
    assert (version.number, version.filename, version.content_type) == (1, "tariffs-2027.pdf", "application/pdf")
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "document.create")
                              .order_by(AuditEntry.id.desc())).first()
    assert entry.actor_id == library.clerk.id and entry.target == f"document:{document.id}"
    assert entry.detail["sha256"] == version.sha256
    page = as_user(library.reader).get(f"/p/{library.mine.id}/documents/?tag=2027")
    assert "Tariffs 2027" in page.text
    assert as_user(library.stranger).get(f"/p/{library.other.id}/documents/{document.id}/download").body == PDF


def test_chosen_visibility_by_accounting_id_tax_id_and_group(library, clerk, as_user, dbsession):
    form = upload_form(clerk, title_en="Chosen ones", visibility="chosen",
                       parties=f"{library.mine.external_id}\n{library.other.tax_id}", groups={str(library.group.id)},
                       upload=("chosen.pdf", PDF, "application/pdf"))
    form.submit("submit", status=303)
    document = dbsession.scalars(select(Document).where(Document.title_en == "Chosen ones")).one()
    shown = set(dbsession.scalars(select(DocumentParty.party_id).where(DocumentParty.document_id == document.id)))
    assert shown == {library.mine.id, library.other.id}
    for user, party in ((library.reader, library.mine), (library.stranger, library.other),
                        (library.water, library.grouped)):
        assert as_user(user).get(f"/p/{party.id}/documents/{document.id}/").status_int == 200


@pytest.mark.parametrize("values,message", [
    ({"visibility": "chosen"}, "Name the companies or choose the party groups"),
    ({"visibility": "chosen", "parties": "NO-SUCH-ID"}, "No company has the accounting id or tax id “NO-SUCH-ID”"),
    ({"title_en": ""}, "Give a title in English, in Russian or both."),
    ({"valid_from": "2026-05-02", "valid_to": "2026-05-01"}, "The end of validity is before its start."),
    ({"valid_from": "31.02.2026"}, "Invalid date"),
    ({"tags": ", ".join(f"t{n}" for n in range(30))}, "At most 20 tags."),
])
def test_bad_details_are_refused_and_nothing_is_kept(library, clerk, app, dbsession, values, message):
    documents, files, before = count(dbsession, Document), store_files(app), audit_actions(dbsession)
    fields = dict({"title_en": "Refused", "visibility": "all", "upload": ("refused.pdf", PDF, "application/pdf")},
                  **values)
    response = upload_form(clerk, **fields).submit("submit", status=400)
    assert message in response.text
    assert count(dbsession, Document) == documents
    assert store_files(app) == files
    assert audit_actions(dbsession) == before


@pytest.mark.parametrize("upload,message", [
    (("tariffs.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"), "does not match its extension"),
    (("tariffs.exe", PDF, "application/octet-stream"), "Files of this type are not accepted"),
    (("empty.pdf", b"", "application/pdf"), "The file is empty."),
    (("huge.txt", b"x" * (10 * 1024 * 1024 + 1), "text/plain"), "larger than the limit"),
])
def test_a_bad_upload_is_refused_and_nothing_is_stored(library, clerk, app, dbsession, upload, message):
    documents, versions, files = count(dbsession, Document), count(dbsession, DocumentVersion), store_files(app)
    response = upload_form(clerk, title_en="Bad file", visibility="all", upload=upload).submit("submit", status=400)
    assert message in response.text
    assert (count(dbsession, Document), count(dbsession, DocumentVersion)) == (documents, versions)
    assert store_files(app) == files


def test_a_missing_file_is_refused(library, clerk, dbsession):
    documents = count(dbsession, Document)
    response = upload_form(clerk, title_en="No file", visibility="all").submit("submit", status=400)
    assert "Required" in response.text and count(dbsession, Document) == documents


def test_replacing_the_file_keeps_the_old_versions(library, clerk, as_user, dbsession):
    document = library.docs.public
    old = make.store(dbsession).path_for(
        dbsession.scalars(select(DocumentVersion.sha256).where(DocumentVersion.document_id == document.id)).one())
    new_pdf = make.pdf_bytes("Version two")
    form = clerk.get(f"/documents/{document.id}/").forms["replace-version"]
    form["upload"] = webtest.Upload("contract-v2.pdf", new_pdf, "application/pdf")
    form["note"] = "Prices of 2027"
    response = form.submit("submit", status=303).follow()
    assert "Version 2 is now the current one." in response.text
    history = [(r.select("td")[0].text.split()[0], r.select("td")[1].text.strip())
               for r in response.html.select("table.versions tbody tr")]
    assert history == [("2", "contract-v2.pdf"), ("1", "document.pdf")]
    assert clerk.get(f"/documents/{document.id}/versions/1").body == open(old, "rb").read()
    assert clerk.get(f"/documents/{document.id}/versions/2").body == new_pdf
    assert as_user(library.reader).get(f"/p/{library.mine.id}/documents/{document.id}/download").body == new_pdf
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "document.replace")).one()
    assert entry.detail["version"] == 2 and entry.detail["previous"] == 1 and entry.actor_id == library.clerk.id


def test_a_bad_new_version_is_refused_and_the_current_one_stays(library, clerk, app, dbsession):
    document = library.docs.public
    files = store_files(app)
    form = clerk.get(f"/documents/{document.id}/").forms["replace-version"]
    form["upload"] = webtest.Upload("contract.pdf", b"GIF89a", "application/pdf")
    response = form.submit("submit", status=400)
    assert "does not match its extension" in response.text
    dbsession.expire_all()
    assert dbsession.get(Document, document.id).version == 1
    assert store_files(app) == files and audit_actions(dbsession, "document.replace") == []


def test_withdrawing_hides_the_document_from_customers_and_keeps_it(library, clerk, as_user, dbsession):
    document = library.docs.public
    form = clerk.get(f"/documents/{document.id}/").forms["withdraw-document"]
    form["reason"] = "Replaced by the 2027 template"
    assert "customers no longer see it" in form.submit("submit", status=303).follow().text
    dbsession.expire_all()
    withdrawn = dbsession.get(Document, document.id)
    assert withdrawn.state == "withdrawn" and withdrawn.withdrawn_by_id == library.clerk.id
    reader = as_user(library.reader)
    assert reader.get(f"/p/{library.mine.id}/documents/{document.id}/", status="*").status_int == 404
    assert "Supply contract template" not in reader.get(f"/p/{library.mine.id}/documents/").text
    assert clerk.get(f"/documents/{document.id}/versions/1").body.startswith(b"%PDF-")  # kept for the record
    page = clerk.get(f"/documents/{document.id}/")
    assert "replace-version" not in page.forms and "withdraw-document" not in page.forms
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "document.withdraw")).one()
    assert entry.detail == {"reason": "Replaced by the 2027 template"}


def test_attaching_to_a_company_shows_it_as_new_there(library, clerk, as_user, dbsession):
    document = library.docs.public
    form = clerk.get(f"/documents/{document.id}/").forms["attach-document"]
    form["party"] = library.mine.external_id
    page = form.submit("submit", status=303).follow()
    assert "it shows there as new" in page.text and library.mine.name in page.text
    assert dbsession.get(DocumentNotice, (document.id, library.mine.id)).attached_by_id == library.clerk.id
    assert "New documents" in as_user(library.reader).get(f"/p/{library.mine.id}/").text
    assert audit_actions(dbsession, "document.attach") == ["document.attach"]


def test_attaching_a_chosen_document_adds_the_company_to_its_audience(library, clerk, as_user, dbsession):
    document = library.docs.other
    form = clerk.get(f"/documents/{document.id}/").forms["attach-document"]
    form["party"] = library.mine.tax_id
    form.submit("submit", status=303)
    assert as_user(library.reader).get(f"/p/{library.mine.id}/documents/{document.id}/").status_int == 200


def test_attaching_to_an_unknown_company_is_refused(library, clerk, dbsession):
    form = clerk.get(f"/documents/{library.docs.public.id}/").forms["attach-document"]
    form["party"] = "NOBODY"
    assert "No company has the accounting id or tax id" in form.submit("submit", status=400).text
    assert count(dbsession, DocumentNotice) == 0 and audit_actions(dbsession, "document.attach") == []


def test_a_staff_only_document_cannot_be_attached(library, clerk, dbsession):
    page = clerk.get(f"/documents/{library.docs.staff_only.id}/")
    assert "attach-document" not in page.forms
    token = page.html.find("input", attrs={"name": "csrf_token"})["value"]
    response = clerk.post(f"/documents/{library.docs.staff_only.id}/attach",
                          {"csrf_token": token, "party": library.mine.external_id}, status=400)
    assert "A staff-only document cannot be attached" in response.text
    assert count(dbsession, DocumentNotice) == 0


def test_changing_the_details_is_audited(library, clerk, as_user, dbsession):
    document = library.docs.public
    form = clerk.get(f"/documents/{document.id}/edit").forms["edit-document"]
    assert form["title_en"].value == "Supply contract template"
    form["visibility"] = "staff"
    form.submit("submit", status=303)
    assert as_user(library.reader).get(f"/p/{library.mine.id}/documents/{document.id}/",
                                       status="*").status_int == 404
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "document.update")).one()
    assert entry.detail["changes"] == {"visibility": ["all", "staff"]}
    form = clerk.get(f"/documents/{document.id}/edit").forms["edit-document"]
    assert "Nothing has changed." in form.submit("submit", status=303).follow().text


def test_the_staff_list_shows_every_document_and_exports_it(library, clerk):
    page = clerk.get("/documents/?state=withdrawn")
    assert "Old tariff" in page.text and "Supply contract template" not in page.text
    page = clerk.get("/documents/?visibility=staff")
    assert "Internal pricing" in page.text and "Old tariff" not in page.text
    export = clerk.get("/documents/export.xlsx?q=agreement")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True))
    assert sorted(r[1] for r in rows[1:]) == ["Agreement for Reader", "Agreement for Stranger"]


def test_folders_are_created_retitled_and_deleted_when_empty(library, clerk, dbsession):
    form = clerk.get("/documents/folders/").forms["new-folder"]
    form["title_en"], form["title_ru"] = "Price lists", "Прайс-листы"
    form.submit("submit", status=303)
    folder = dbsession.scalars(select(DocumentFolder).where(DocumentFolder.title_en == "Price lists")).one()
    form = clerk.get(f"/documents/folders/{folder.id}/").forms["folder"]
    form["title_en"] = "Price lists 2027"
    form.submit("submit", status=303)
    clerk.get(f"/documents/folders/{folder.id}/").forms["delete-folder"].submit(status=303)
    assert dbsession.get(DocumentFolder, folder.id) is None
    response = clerk.get(f"/documents/folders/{library.contracts.id}/").forms["delete-folder"].submit(status=400)
    assert "it holds 4 documents" in response.text
    assert audit_actions(dbsession, "document_folder")[-3:] == [
        "document_folder.create", "document_folder.rename", "document_folder.delete"]
    form = clerk.get("/documents/folders/").forms["new-folder"]
    assert "Give a title" in form.submit("submit", status=400).text
