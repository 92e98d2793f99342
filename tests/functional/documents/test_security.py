"""What a customer may not see answers 404, page and file alike, whatever the reason: another party's
document, a party group's it is not in, staff-only, withdrawn, expired, not yet valid. The staff's
side refuses customers and the party's managers."""
import pytest

from portal.documents.models import Document


@pytest.mark.parametrize("name", ["other", "grouped", "staff_only", "withdrawn", "expired", "future"])
def test_a_document_the_party_is_not_shown_is_not_found(library, as_user, name):
    document = getattr(library.docs, name)
    reader = as_user(library.reader)
    base = f"/p/{library.mine.id}/documents/{document.id}"
    assert reader.get(base + "/", status="*").status_int == 404
    assert reader.get(base + "/download", status="*").status_int == 404
    assert reader.head(base + "/download", status="*").status_int == 404
    listed = reader.get(f"/p/{library.mine.id}/documents/?q={document.title_en}")
    assert not listed.html.select("table.documents") and "No document matches" in listed.text
    export = reader.get(f"/p/{library.mine.id}/documents/export.xlsx")
    assert document.title_en.encode() not in export.body


def test_the_own_documents_are_found_and_staff_see_the_party_as_it_sees_itself(library, as_user):
    mine = f"/p/{library.mine.id}/documents/{library.docs.mine.id}/"
    assert as_user(library.reader).get(mine).status_int == 200
    assert as_user(library.manager).get(mine).status_int == 200
    clerk = as_user(library.clerk)
    assert clerk.get(mine).status_int == 200
    # Under a party's URL even staff are shown only what that party is shown.
    staff_only = f"/p/{library.mine.id}/documents/{library.docs.staff_only.id}/"
    assert clerk.get(staff_only, status="*").status_int == 404


def test_another_partys_library_is_not_found(library, as_user):
    reader = as_user(library.reader)
    for path in ("", "export.xlsx", f"{library.docs.public.id}/", f"{library.docs.public.id}/download"):
        assert reader.get(f"/p/{library.other.id}/documents/{path}", status="*").status_int == 404


def test_customers_and_managers_may_not_publish(library, as_user, dbsession):
    document = library.docs.public
    for user in (library.reader, library.manager):
        browser = as_user(user)
        for path in ("/documents/", "/documents/new", f"/documents/{document.id}/",
                     f"/documents/{document.id}/versions/1", "/documents/folders/"):
            assert browser.get(path, status="*").status_int == 403, (user.login, path)
        token = browser.get("/account/").html.find("input", attrs={"name": "csrf_token"})["value"]
        response = browser.post(f"/documents/{document.id}/withdraw", {"csrf_token": token}, status="*")
        assert response.status_int == 403
        dbsession.expire_all()
        assert dbsession.get(Document, document.id).state == "published"


def test_anonymous_visitors_are_sent_to_login(library, app, testapp):
    for path in (f"/p/{library.mine.id}/documents/", f"/p/{library.mine.id}/documents/{library.docs.public.id}/download",
                 "/documents/"):
        response = testapp.get(path, status="*")
        assert response.status_int == 303 and "/login" in response.location
