"""A party's library through HTTP: what it is shown (and never), folders, search by title and tag,
the export, the download, and "new" until a user of the party opens it."""
import io
from urllib.parse import quote

import openpyxl

from portal.attachments.services import human_size
from portal.audit.services import DatabaseAuditService
from portal.documents.models import DocumentNotice
from portal.documents.services import publishing
from portal.documents.services.publishing import attach_to_party
from tests.factories import documents as make

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def titles(page) -> list[str]:
    return [a.text.strip() for a in page.html.select("table.documents tbody td:first-child > a")]


def test_the_library_lists_what_the_party_is_shown_and_nothing_else(library, as_user):
    page = as_user(library.reader).get(f"/p/{library.mine.id}/documents/")
    assert titles(page) == ["Agreement for Reader", "Connection form", "Supply contract template"]
    assert "1–3 of 3" in " ".join(page.html.select_one("nav.pager").text.split())
    for hidden in ("Stranger", "Internal pricing", "Old tariff", "Expired offer", "Next year tariff",
                   "Water quality"):
        assert hidden not in page.text
    # The group's member is shown the group's document, and the public ones.
    water = as_user(library.water).get(f"/p/{library.grouped.id}/documents/")
    assert titles(water) == ["Connection form", "Supply contract template", "Water quality report"]


def test_folders_count_only_what_the_party_is_shown(library, as_user):
    browser = as_user(library.reader)
    page = browser.get(f"/p/{library.mine.id}/documents/")
    folders = {a.contents[0].strip(): a.select_one(".counter").text for a in page.html.select("nav.folders a")
               if a.select_one(".counter")}
    # Contracts holds four documents, but two of them are another party's or withdrawn.
    assert folders == {"Contracts": "2", "Forms": "1"}
    page = browser.get(f"/p/{library.mine.id}/documents/?folder={library.contracts.id}")
    assert titles(page) == ["Agreement for Reader", "Supply contract template"]


def test_search_by_title_in_either_language_and_by_tag(library, as_user):
    browser = as_user(library.reader)
    base = f"/p/{library.mine.id}/documents/"
    assert titles(browser.get(base + "?q=contract")) == ["Supply contract template"]
    assert titles(browser.get(base + "?q=" + quote("договор"))) == ["Supply contract template"]
    assert titles(browser.get(base + "?q=agreement")) == ["Agreement for Reader"]  # its tag; not Stranger's
    # A tag filter is exact: "2026" is not "2026-q1".
    assert titles(browser.get(base + "?tag=2026")) == ["Supply contract template"]
    assert titles(browser.get(base + "?tag=2026-q1")) == ["Connection form"]
    # "template" tags staff-only, withdrawn, expired and future documents too: none is shown or offered.
    page = browser.get(base + "?tag=template")
    assert titles(page) == ["Supply contract template"]
    assert [a.text for a in page.html.select("p.tags a")] == ["2026", "2026-q1", "agreement", "contract", "form",
                                                              "template"]
    assert titles(browser.get(base + "?q=pricing")) == []


def test_titles_follow_the_language(library, as_user, dbsession):
    library.reader.language = "ru"
    dbsession.flush()
    page = as_user(library.reader).get(f"/p/{library.mine.id}/documents/")
    assert "Типовой договор поставки" in titles(page)
    assert "Agreement for Reader" in titles(page)  # no Russian title: the English one


def test_the_export_holds_what_the_page_lists(library, as_user):
    response = as_user(library.reader).get(f"/p/{library.mine.id}/documents/export.xlsx?q=o")
    assert response.content_type == XLSX
    sheet = openpyxl.load_workbook(io.BytesIO(response.body)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == ["Agreement for Reader", "Connection form", "Supply contract template"]
    assert "Stranger" not in repr(rows) and "pricing" not in repr(rows)


def test_download_has_the_type_and_a_safe_name(library, as_user, dbsession):
    from tests.factories import documents as make

    cyrillic = make.document(dbsession, title_en="Price list", filename="Прайс «2026».pdf")
    response = as_user(library.reader).get(f"/p/{library.mine.id}/documents/{cyrillic.id}/download")
    assert response.content_type == "application/pdf"
    assert response.body.startswith(b"%PDF-")
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert disposition.isascii()
    assert f'filename="document-{cyrillic.id}-v1.pdf"' in disposition
    assert "filename*=UTF-8''" + quote("Прайс «2026».pdf", safe="") in disposition
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_a_text_file_is_served_as_text_and_as_an_attachment(library, as_user, dbsession):
    from tests.factories import documents as make

    text = make.document(dbsession, title_en="Read me", filename='notes"; x=.txt', content="Привет".encode())
    response = as_user(library.reader).get(f"/p/{library.mine.id}/documents/{text.id}/download")
    assert response.headers["Content-Type"] == "text/plain; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment;") and '"; x=' not in disposition


def notice(dbsession, document, party):
    dbsession.flush()
    dbsession.expire_all()
    return dbsession.get(DocumentNotice, (document.id, party.id))


def test_an_attached_document_is_new_until_a_user_of_the_party_opens_it(library, as_user, dbsession):
    mine, document = library.mine, library.docs.public
    attach_to_party(dbsession, DatabaseAuditService(dbsession, actor_id=library.clerk.id), document, mine,
                    user_id=library.clerk.id)
    reader = as_user(library.reader)
    home = reader.get(f"/p/{mine.id}/")
    assert "New documents" in home.text and "Supply contract template" in home.text
    listed = reader.get(f"/p/{mine.id}/documents/")
    assert listed.html.select("tr.unread .badge-new")
    # Staff and the party's manager open it: still new.
    as_user(library.clerk).get(f"/p/{mine.id}/documents/{document.id}/download")
    as_user(library.manager).get(f"/p/{mine.id}/documents/{document.id}/")
    assert notice(dbsession, document, mine).opened_at is None
    assert "New documents" in reader.get(f"/p/{mine.id}/").text
    # The other party's user sees no "new" for it on its own home.
    assert "New documents" not in as_user(library.stranger).get(f"/p/{library.other.id}/").text
    # A colleague opens it: no longer new, for every user of the party; who and when are kept.
    page = as_user(library.colleague).get(f"/p/{mine.id}/documents/{document.id}/")
    assert page.html.select_one("h1 .badge-new") is not None  # it was new when opened
    opened = notice(dbsession, document, mine)
    assert opened.opened_by_id == library.colleague.id and opened.opened_at is not None
    assert "New documents" not in reader.get(f"/p/{mine.id}/").text
    assert not reader.get(f"/p/{mine.id}/documents/").html.select("tr.unread")
    # A later opening does not move the record.
    reader.get(f"/p/{mine.id}/documents/{document.id}/download")
    assert notice(dbsession, document, mine).opened_by_id == library.colleague.id


def test_downloading_is_opening(library, as_user, dbsession):
    mine, document = library.mine, library.docs.mine
    attach_to_party(dbsession, DatabaseAuditService(dbsession), document, mine)
    as_user(library.reader).get(f"/p/{mine.id}/documents/{document.id}/download")
    assert notice(dbsession, document, mine).opened_by_id == library.reader.id


def test_a_new_document_that_is_no_longer_shown_is_not_counted(library, as_user, dbsession):
    mine, document = library.mine, library.docs.mine
    attach_to_party(dbsession, DatabaseAuditService(dbsession), document, mine)
    document.state = "withdrawn"
    dbsession.flush()
    assert "New documents" not in as_user(library.reader).get(f"/p/{mine.id}/").text
    assert notice(dbsession, document, mine) is not None  # the notice stays, for the record


def library_rows(page) -> dict[str, tuple[str, str, str]]:
    """title -> (folder, file name, size) of each row of the library's table."""
    rows = {}
    for tr in page.html.select("table.documents tbody tr"):
        cells = tr.select("td")
        rows[cells[0].a.text.strip()] = (cells[1].text.strip(), cells[5].a.text.strip(),
                                         cells[5].select_one(".muted").text.strip())
    return rows


def test_each_row_shows_its_folder_in_the_users_language_and_its_current_file(library, as_user, dbsession):
    """The rows read their folder and current version for themselves (library.listed_rows): a new version
    replaces the file shown, a document in no folder is listed and counted, and the export agrees."""
    files, content = make.store(dbsession), make.pdf_bytes("The second version") * 40
    publishing.replace_version(dbsession, DatabaseAuditService(dbsession), files, library.docs.public,
                               files.check(io.BytesIO(content), "contract-v2.pdf"))
    make.document(dbsession, title_en="Loose leaflet", filename="leaflet.pdf")
    library.reader.language = "ru"
    dbsession.flush()
    browser = as_user(library.reader)
    page = browser.get(f"/p/{library.mine.id}/documents/?sort=title")
    rows = library_rows(page)
    assert {title: row[:2] for title, row in rows.items()} == {
        "Agreement for Reader": ("Договоры", "document.pdf"),
        "Loose leaflet": ("—", "leaflet.pdf"),
        "Заявление на подключение": ("Бланки", "document.pdf"),
        "Типовой договор поставки": ("Договоры", "contract-v2.pdf"),
    }
    assert rows["Типовой договор поставки"][2] == human_size(len(content), "ru")
    # Unfiltered, the total is the folders' counts added up, the one in no folder included.
    assert "1–4 из 4" in " ".join(page.html.select_one("nav.pager").text.split())
    sheet = openpyxl.load_workbook(io.BytesIO(browser.get(f"/p/{library.mine.id}/documents/export.xlsx"
                                                          "?sort=title").body)).active
    exported = {r[0]: (r[1], r[6]) for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert exported["Типовой договор поставки"] == ("Договоры", "contract-v2.pdf")
    assert exported["Loose leaflet"] == (None, "leaflet.pdf")
