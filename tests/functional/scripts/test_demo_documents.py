"""The demo library through HTTP: folders with bilingual titles, real PDFs, the document attached to
Sever Energo new on its home, the staff-only one shown to no customer; a second run adds nothing."""
from sqlalchemy import func, select

from portal.documents.models import Document, DocumentFolder
from portal.identity.passwords import password_service_from_settings
from portal.parties.models import Party
from portal.scripts import demo
from tests.functional.scripts.test_demo import browser


def load(dbsession, app_settings):
    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    demo.load_demo_documents(dbsession, app_settings)
    dbsession.flush()
    return {p.external_id: p for p in dbsession.scalars(select(Party))}


def test_the_demo_library(app, testapp, dbsession, app_settings):
    parties = load(dbsession, app_settings)
    folders = {f.title_en: f.title_ru for f in dbsession.scalars(select(DocumentFolder))}
    assert folders == {"Contracts & templates": "Договоры и шаблоны", "Tariffs": "Тарифы", "Forms": "Бланки и формы"}
    energo = browser(app, testapp, "energo")  # a Russian-speaking user
    home = energo.get(f"/p/{parties['DEMO-SEVER-ENERGO'].id}/")
    assert "Дополнительное соглашение № 3" in home.text and "badge-new" in home.text
    library = energo.get(f"/p/{parties['DEMO-SEVER-ENERGO'].id}/documents/")
    assert "Тарифы с 1 января" in library.text and "Внутренние правила" not in library.text
    link = library.html.select_one("td.file a")["href"]
    pdf = energo.get(link)
    assert pdf.content_type == "application/pdf" and pdf.body.startswith(b"%PDF-1.4") and b"%%EOF" in pdf.body[-8:]
    # Sever Trans, of the same holding, is not shown Sever Energo's agreement; Yug is shown its group's report.
    trans = browser(app, testapp, "trans").get(f"/p/{parties['DEMO-SEVER-TRANS'].id}/documents/")
    assert "Supplementary agreement" not in trans.text and "Water quality" not in trans.text
    yug = browser(app, testapp, "yug").get(f"/p/{parties['DEMO-YUG'].id}/documents/")
    assert "Water quality report" in yug.text
    staff_only = dbsession.scalars(select(Document).where(Document.visibility == "staff")).one()
    assert browser(app, testapp, "backoffice").get(f"/documents/{staff_only.id}/").status_int == 200


def test_running_the_demo_library_again_adds_nothing(dbsession, app_settings):
    load(dbsession, app_settings)
    made = dbsession.scalar(select(func.count()).select_from(Document))
    demo.load_demo_documents(dbsession, app_settings)
    assert dbsession.scalar(select(func.count()).select_from(Document)) == made == 7
