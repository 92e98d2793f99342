"""Price lists: the list (current first, tabs, search, sort, export), one list's items (search, sort,
export), its PDF, and that a list meant for other customers, or not yet valid, is not found, listed,
counted or exported."""
import io
from datetime import date, timedelta
from urllib.parse import unquote

import openpyxl
import pytest
from sqlalchemy import func, select

from portal.finance.models import PriceList, PriceListItem
from portal.identity.passwords import password_service_from_settings
from portal.parties.models import Party
from portal.scripts import demo
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff
from tests.factories import finance as f
from tests.factories.documents import party_group
from tests.pdf_text import pdf_text

DAY = timedelta(days=1)
GENERAL_ITEMS = [("ВЫЕЗД-01", "Выезд специалиста на объект", "выезд", "3500.00", "20"),
                 ("ПОВ-01", "Поверка прибора учёта", "шт", "2800.5", "20"),
                 ("ДОК-01", "Выдача копий документов", "лист", "45.00", "0")]
FOREIGN = ("Secret foreign tariffs", "Foreign secret service", "Group tariffs of others", "Group-only service",
           "Future price list", "Next year's service")


def leaks(text):
    return [marker for marker in FOREIGN if marker in text]


@pytest.fixture
def lists(dbsession):
    today = date.today()
    party = PartyFactory(name="Счётная Энергия", tax_id="7701999001")
    other = PartyFactory(name="Foreign Ledger Ltd", tax_id="7701999002")
    group = party_group(dbsession, "Foreign customers", [other])
    made = {
        "current": f.price_list(dbsession, name="Прейскурант 2026", valid_from=today - 30 * DAY, items=GENERAL_ITEMS),
        "archived": f.price_list(dbsession, name="Прейскурант 2025", valid_from=today - 400 * DAY,
                                 valid_to=today - 31 * DAY, items=GENERAL_ITEMS[:1]),
        "own": f.price_list(dbsession, name="Тарифы для Счётной Энергии", valid_from=today - 5 * DAY,
                            valid_to=today, parties=[party],
                            items=[("ТП-15", "Технологическое присоединение", "присоед.", "5000.00", "20")]),
        "foreign": f.price_list(dbsession, name="Secret foreign tariffs", valid_from=today - 5 * DAY, parties=[other],
                                items=[("X-1", "Foreign secret service", "h", "777.00", "20")]),
        "group": f.price_list(dbsession, name="Group tariffs of others", valid_from=today - 5 * DAY, groups=[group],
                              items=[("G-1", "Group-only service", "h", "10.00", "20")]),
        "future": f.price_list(dbsession, name="Future price list", valid_from=today + DAY,
                               items=[("F-1", "Next year's service", "h", "1.00", "20")]),
    }
    dbsession.flush()
    return dict(made, party=party, other=other, user=customer(party, language="en"), outsider=customer(other))


def names_of(page):
    return [a.text for a in page.html.select("table.price-lists tbody tr td:first-child a")]


def items_of(page):
    return [[td.text.strip() for td in row.find_all("td")] for row in page.html.select("table.price-list-items tbody tr")]


def test_the_list_shows_what_the_party_may_see_current_first(testapp, lists):
    login(testapp, lists["user"].login)
    page = testapp.get(f"/p/{lists['party'].id}/price-lists/")
    assert names_of(page) == ["Тарифы для Счётной Энергии", "Прейскурант 2026", "Прейскурант 2025"]
    statuses = [s.text for s in page.html.select("table.price-lists .badge")]
    assert statuses == ["Current", "Current", "Archived"]
    assert "until further notice" in page.html.select("table.price-lists tbody tr")[1].text
    assert "1–3 of 3" in " ".join(page.html.select_one("nav.pager").text.split())
    assert not leaks(page.text)
    # Sorted by name, the current ones still come first.
    by_name = testapp.get(f"/p/{lists['party'].id}/price-lists/", params={"sort": "name"})
    assert names_of(by_name) == ["Прейскурант 2026", "Тарифы для Счётной Энергии", "Прейскурант 2025"]


def test_the_tabs_keep_current_or_archived_lists_and_search_finds_by_name(testapp, lists):
    login(testapp, lists["user"].login)
    base = f"/p/{lists['party'].id}/price-lists/"
    page = testapp.get(base)
    tabs = {a.text: a["href"] for a in page.html.select("nav.tabs a")}
    assert list(tabs) == ["All", "Current", "Archived"]
    assert page.html.select_one("nav.tabs a[aria-current]").text == "All"
    archived = testapp.get(tabs["Archived"])
    assert names_of(archived) == ["Прейскурант 2025"]
    assert archived.html.select_one("nav.tabs a[aria-current]").text == "Archived"
    assert names_of(testapp.get(tabs["Current"])) == ["Тарифы для Счётной Энергии", "Прейскурант 2026"]
    assert names_of(testapp.get(base, params={"q": "прейскурант", "status": "current"})) == ["Прейскурант 2026"]
    nothing = testapp.get(base, params={"q": "secret"})
    assert names_of(nothing) == [] and "No price list matches the search." in nothing.text
    # A status that is not one is ignored, never an error; a future list is no tab.
    assert names_of(testapp.get(base, params={"status": "future"})) == names_of(page)


def test_the_empty_states(testapp, dbsession):
    user = customer(PartyFactory(), language="en")
    login(testapp, user.login)
    base = f"/p/{user.memberships[0].party_id}/price-lists/"
    assert "There are no price lists yet." in testapp.get(base).text
    f.price_list(dbsession, valid_from=date.today() - DAY)
    assert "There are no archived price lists." in testapp.get(base, params={"status": "archived"}).text


def test_the_price_list_page_shows_its_items_and_searches_them(testapp, lists):
    login(testapp, lists["user"].login)
    url = f"/p/{lists['party'].id}/price-lists/{lists['current'].id}/"
    page = testapp.get(url)
    assert "Прейскурант 2026" in page.html.h1.text and "Current" in page.html.h1.text
    assert items_of(page) == [
        ["ВЫЕЗД-01", "Выезд специалиста на объект", "выезд", "3,500.00 RUB", "20 %", "RUB4,200.00"],
        ["ПОВ-01", "Поверка прибора учёта", "шт", "2,800.50 RUB", "20 %", "RUB3,360.60"],
        ["ДОК-01", "Выдача копий документов", "лист", "45.00 RUB", "0 %", "RUB45.00"],
    ]
    assert [r[0] for r in items_of(testapp.get(url, params={"q": "поверка"}))] == ["ПОВ-01"]
    assert [r[0] for r in items_of(testapp.get(url, params={"q": "док-"}))] == ["ДОК-01"]
    assert [r[0] for r in items_of(testapp.get(url, params={"sort": "-price"}))] == ["ВЫЕЗД-01", "ПОВ-01", "ДОК-01"]
    nothing = testapp.get(url, params={"q": "nothing like it"})
    assert items_of(nothing) == [] and "No service of this price list matches the search." in nothing.text
    archived = testapp.get(f"/p/{lists['party'].id}/price-lists/{lists['archived'].id}/")
    assert "Archived" in archived.html.h1.text


def test_the_items_export_holds_every_item_as_numbers(testapp, lists):
    login(testapp, lists["user"].login)
    page = testapp.get(f"/p/{lists['party'].id}/price-lists/{lists['current'].id}/")
    export = testapp.get(page.html.select_one("a[href*='export.xlsx']")["href"])
    assert unquote(export.headers["Content-Disposition"].split("filename*=UTF-8''")[1]).startswith(
        "Price list Прейскурант 2026 ")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True))
    assert rows[0] == ("Code", "Service", "Unit", "Price without VAT, RUB", "VAT rate, %", "Price with VAT, RUB")
    assert rows[1:] == [("ВЫЕЗД-01", "Выезд специалиста на объект", "выезд", 3500, 20, 4200),
                        ("ПОВ-01", "Поверка прибора учёта", "шт", 2800.5, 20, 3360.6),
                        ("ДОК-01", "Выдача копий документов", "лист", 45, 0, 45)]
    searched = testapp.get(f"/p/{lists['party'].id}/price-lists/{lists['current'].id}/export.xlsx",
                           params={"q": "поверка"})
    assert len(list(openpyxl.load_workbook(io.BytesIO(searched.body)).active.iter_rows())) == 2


def test_the_list_export_holds_what_the_list_shows(testapp, lists):
    login(testapp, lists["user"].login)
    export = testapp.get(f"/p/{lists['party'].id}/price-lists/export.xlsx")
    rows = list(openpyxl.load_workbook(io.BytesIO(export.body)).active.iter_rows(values_only=True))
    assert rows[0] == ("Price list", "Currency", "Valid from", "Valid to", "Status")
    assert [(r[0], r[4]) for r in rows[1:]] == [("Тарифы для Счётной Энергии", "Current"),
                                                ("Прейскурант 2026", "Current"), ("Прейскурант 2025", "Archived")]
    assert not leaks(str(rows))


def test_the_pdf_prints_the_items_in_cyrillic_for_the_customer(testapp, dbsession, lists):
    login(testapp, lists["user"].login)
    response = testapp.get(f"/p/{lists['party'].id}/price-lists/{lists['current'].id}/pdf")
    assert response.content_type == "application/pdf" and response.body.startswith(b"%PDF-")
    text = " ".join(pdf_text(response.body).split())  # a long name may wrap in its cell
    assert "Price list «Прейскурант 2026»" in text and "Счётная Энергия" in text
    assert "Выезд специалиста на объект" in text and "Поверка прибора учёта" in text
    assert "ВЫЕЗД-01" in text and "RUB4,200.00" in text and "until further notice" in text
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith(f'attachment; filename="price-list-{lists["current"].id}.pdf"')
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "Price list Прейскурант 2026.pdf"
    archived = pdf_text(testapp.get(f"/p/{lists['party'].id}/price-lists/{lists['archived'].id}/pdf").body)
    assert "ARCHIVED: NO LONGER VALID" in archived
    lists["user"].language = "ru"
    dbsession.flush()
    russian = pdf_text(testapp.get(f"/p/{lists['party'].id}/price-lists/{lists['current'].id}/pdf").body)
    assert "4 200,00 ₽" in russian


def test_a_list_meant_for_others_or_not_yet_valid_is_not_found(testapp, lists):
    login(testapp, lists["user"].login)
    own, other = lists["party"].id, lists["other"].id
    for key in ("foreign", "group", "future"):
        hidden = lists[key].id
        for url in (f"/p/{own}/price-lists/{hidden}/", f"/p/{own}/price-lists/{hidden}/pdf",
                    f"/p/{own}/price-lists/{hidden}/export.xlsx", f"/p/{other}/price-lists/{hidden}/"):
            assert not leaks(testapp.get(url, status=404).text), url
    for url in (f"/p/{other}/price-lists/", f"/p/{other}/price-lists/export.xlsx",
                f"/p/{other}/price-lists/{lists['current'].id}/"):
        testapp.get(url, status=404)
    for url in (f"/p/{own}/price-lists/", f"/p/{own}/price-lists/?q=secret", f"/p/{own}/price-lists/?status=current",
                f"/p/{own}/"):
        assert not leaks(testapp.get(url).text), url
    sheet = openpyxl.load_workbook(io.BytesIO(testapp.get(f"/p/{own}/price-lists/export.xlsx").body)).active
    assert not leaks(str(list(sheet.iter_rows(values_only=True))))


def test_the_other_party_sees_its_own_lists_and_not_the_partys(testapp, lists):
    login(testapp, lists["outsider"].login)
    page = testapp.get(f"/p/{lists['other'].id}/price-lists/")
    assert names_of(page) == ["Group tariffs of others", "Secret foreign tariffs", "Прейскурант 2026",
                              "Прейскурант 2025"]
    testapp.get(f"/p/{lists['other'].id}/price-lists/{lists['own'].id}/", status=404)


def test_staff_see_a_partys_lists_and_the_tile_leads_there(testapp, lists):
    login(testapp, staff("head").login)
    page = testapp.get(f"/p/{lists['party'].id}/price-lists/")
    assert "Тарифы для Счётной Энергии" in names_of(page) and not leaks(page.text)
    home = testapp.get(f"/p/{lists['party'].id}/")
    assert home.html.select_one(f"a.tile[href$='/p/{lists['party'].id}/price-lists']").text == "Price lists"


def demo_parties(dbsession, app_settings):
    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    demo.load_vertical_demos(dbsession, app_settings)
    dbsession.flush()
    return {p.external_id: p for p in dbsession.scalars(select(Party).where(Party.external_id.like("DEMO-%")))}


def test_the_demo_has_a_current_an_archived_and_an_energo_only_price_list(testapp, dbsession, app_settings):
    parties = demo_parties(dbsession, app_settings)
    counts = (dbsession.scalar(select(func.count()).select_from(PriceList)),
              dbsession.scalar(select(func.count()).select_from(PriceListItem)))
    demo_parties(dbsession, app_settings)
    assert (dbsession.scalar(select(func.count()).select_from(PriceList)),
            dbsession.scalar(select(func.count()).select_from(PriceListItem))) == counts  # a second run adds nothing
    login(testapp, "energo", demo.DEMO_PASSWORD)
    energo = testapp.get(f"/p/{parties['DEMO-SEVER-ENERGO'].id}/price-lists/")
    # energo reads Russian: current, current, archived.
    assert [s.text for s in energo.html.select("table.price-lists .badge")] == ["Действующий", "Действующий",
                                                                                "В архиве"]
    assert "Тарифы на сетевые услуги для «Север Энерго»" in names_of(energo)
    testapp.reset()
    login(testapp, "trans", demo.DEMO_PASSWORD)
    trans = testapp.get(f"/p/{parties['DEMO-SEVER-TRANS'].id}/price-lists/")
    assert names_of(trans) == ["Прейскурант на дополнительные услуги",
                               "Прейскурант на дополнительные услуги (прежняя редакция)"]
