"""Supply points through HTTP: the list (paging, sorting, filters, export), one supply point with its
contract's document, meters and consumption history (a table and an escaped SVG chart), the staff's
self-readings switch (audited), and the party's readings list."""
import io
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

from sqlalchemy import select

from portal.attachments.services import AttachmentService, UploadPolicy
from portal.audit.models import AuditEntry
from portal.utility.demo import demo_pdf
from portal.utility.services import CONTRACT_OWNER
from tests.factories.utility import SupplyPointFactory, accepted, day_night_meter
from tests.functional.views.test_exports import all_text, sheet_rows

from .conftest import MONTH_AGO, TODAY, send

SVG = "{http://www.w3.org/2000/svg}"


def point_url(world, point=None):
    return f"/p/{world.party.id}/supply-points/{(point or world.point).id}/"


def store_document(dbsession, app_settings, contract, filename):
    service = AttachmentService(dbsession, UploadPolicy.from_settings(app_settings))
    upload = service.check(io.BytesIO(demo_pdf(f"Contract {contract.number}")), filename)
    return service.attach(upload, party_id=contract.party_id, owner_type=CONTRACT_OWNER, owner_id=contract.id,
                          uploaded_by_id=None)


def test_the_list_pages_sorts_filters_and_exports_the_partys_points(world, browser):
    for n in range(55):
        SupplyPointFactory(party=world.party, address=f"Zavodskaya {n:02d}", medium="water" if n % 2 else "heat")
    b = browser(world.author)
    first = b.get(f"/p/{world.party.id}/supply-points/")
    addresses = [a.text for a in first.html.select("table.list tbody td:first-child a")]
    assert len(addresses) == 50 and addresses == sorted(addresses)
    assert "1–50 of 56" in first.text
    second = b.get(f"/p/{world.party.id}/supply-points/", {"page": "2"})
    assert len(second.html.select("table.list tbody tr")) == 6
    desc = b.get(f"/p/{world.party.id}/supply-points/", {"sort": "-address"})
    assert desc.html.select_one("table.list tbody td a").text == "Zavodskaya 54"
    water = b.get(f"/p/{world.party.id}/supply-points/", {"medium": "water"})
    assert len(water.html.select("table.list tbody tr")) == 27
    found = b.get(f"/p/{world.party.id}/supply-points/", {"q": "switchboard"})
    assert [a.text for a in found.html.select("table.list tbody td:first-child a")] == ["Lenina 1, switchboard"]
    rows = sheet_rows(b.get(f"/p/{world.party.id}/supply-points/export.xlsx", {"medium": "water"}))
    assert len(rows) == 28 and rows[0][1] == "Address" and all(r[2] == "Water" for r in rows[1:])
    assert "Secret quay" not in all_text(b.get(f"/p/{world.party.id}/supply-points/export.xlsx"))


def test_a_bad_filter_value_is_ignored(world, browser):
    page = browser(world.author).get(f"/p/{world.party.id}/supply-points/", {"medium": "plasma", "sort": "x;drop"})
    assert "Lenina 1, switchboard" in page.text


def test_the_detail_shows_contract_meters_history_table_and_chart(world, browser, dbsession, app_settings):
    accepted(dbsession, world.meter, MONTH_AGO + timedelta(days=10), T1="1100", T2="550")
    store_document(dbsession, app_settings, world.point.contract, "Договор № 1.pdf")
    page = browser(world.author).get(point_url(world))
    assert world.point.contract.number in page.text
    assert "DAYNIGHT-0001" in page.text
    history = page.html.select_one("table.history")
    rows = [[td.get_text(strip=True) for td in tr.select("td")] for tr in history.select("tbody tr")]
    assert rows[0][1:] == ["1,100", "100", "550", "50"] and rows[1][1:] == ["1,000", "—", "500", "—"]
    svg = page.html.select_one("figure.chart svg")
    assert svg is not None and svg.get("role") == "img"
    chart = ET.fromstring(str(svg))
    bars = [r for r in chart.iter(SVG + "rect") if r.find(SVG + "title") is not None]
    assert len(bars) == 2  # one reading with consumption, two registers
    link = page.html.select_one("a.contract-document")
    assert link.text == "Договор № 1.pdf"


def test_the_chart_escapes_what_staff_and_the_accounting_system_typed(world, browser, dbsession):
    register = world.meter.registers[0]
    register.name = '<script>alert("x")</script>'
    register.unit = "&<b>"
    accepted(dbsession, world.meter, MONTH_AGO + timedelta(days=10), T1="1100", T2="550")
    page = browser(world.author).get(point_url(world))
    assert '<script>alert("x")</script>' not in page.text
    figure = page.html.select_one("figure.chart")
    ET.fromstring(str(figure.select_one("svg")))  # still well-formed
    assert '<script>alert("x")</script>' in figure.get_text()  # shown as text


def test_the_contract_document_downloads_as_an_attachment_with_a_safe_name(world, browser, dbsession, app_settings):
    store_document(dbsession, app_settings, world.point.contract, 'Договор "E/1";\r\nX: y.pdf')
    answer = browser(world.author).get(point_url(world) + "contract")
    assert answer.content_type == "application/pdf" and answer.body.startswith(b"%PDF-")
    disposition = answer.headers["Content-Disposition"]
    assert re.fullmatch(r'attachment; filename="[A-Za-z0-9._-]+"; filename\*=UTF-8\'\'[A-Za-z0-9%._~-]+', disposition)


def test_no_document_no_link_and_not_found(world, browser):
    b = browser(world.author)
    assert "contract-document" not in b.get(point_url(world)).text
    b.get(point_url(world) + "contract", status=404)


def test_a_document_of_the_contract_under_another_party_is_not_served(world, browser, dbsession, app_settings):
    """An attachment row naming the contract but another party (a wrong import) is never shown."""
    attachment = store_document(dbsession, app_settings, world.point.contract, "contract.pdf")
    attachment.party_id = world.other.id
    dbsession.flush()
    browser(world.author).get(point_url(world) + "contract", status=404)
    # Nor through the attachments' own URL: a contract is no work item.
    browser(world.author).get(f"/p/{world.party.id}/attachments/{attachment.id}", status=404)


def test_staff_switch_self_readings_audited_and_customers_may_not(world, browser, dbsession):
    clerk = browser(world.backoffice)
    page = clerk.get(point_url(world))
    form = next(f for f in page.forms.values() if "allowed" in f.fields)
    assert form["allowed"].value == "false"
    form.submit(status=303)
    dbsession.flush()
    dbsession.refresh(world.point)
    assert world.point.self_readings is False
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "supply_point.self_readings")).one()
    assert entry.actor_id == world.backoffice.id and entry.detail["allowed"] is False
    assert "Allow self-readings" in clerk.get(point_url(world)).text
    customer = browser(world.author)
    assert not any("allowed" in form.fields for form in customer.get(point_url(world)).forms.values())
    token = customer.get("/account/").html.find("input", attrs={"name": "csrf_token"})["value"]
    customer.post(point_url(world) + "self-readings", {"csrf_token": token, "allowed": "true"}, status=403)
    dbsession.refresh(world.point)
    assert world.point.self_readings is False


def test_a_bad_switch_value_changes_nothing(world, browser, dbsession):
    clerk = browser(world.backoffice)
    token = clerk.get("/account/").html.find("input", attrs={"name": "csrf_token"})["value"]
    answer = clerk.post(point_url(world) + "self-readings", {"csrf_token": token, "allowed": "<b>"}, status=303)
    assert "Choose whether self-readings are allowed" in answer.follow().text
    clerk.post(point_url(world) + "self-readings", {"allowed": "false"}, status=400)  # no CSRF token
    dbsession.refresh(world.point)
    assert world.point.self_readings is True
    assert dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "supply_point.self_readings")).first() \
        is None


def test_the_partys_readings_list_filters_by_point_and_exports(world, browser, dbsession):
    other_point = SupplyPointFactory(party=world.party, address="Second street 2")
    meter = day_night_meter(dbsession, other_point, serial="SECOND-0002")
    accepted(dbsession, meter, MONTH_AGO, T1="10", T2="5")
    b = browser(world.author)
    send(b, world, t1="1300", t2="655")
    page = b.get(f"/p/{world.party.id}/readings/")
    rows = page.html.select("table.list tbody tr")
    assert len(rows) == 3 and "Day 1,300 kWh; Night 655 kWh" in rows[0].get_text(" ")
    assert TODAY.strftime("%Y") in rows[0].get_text()
    only = b.get(f"/p/{world.party.id}/supply-points/{other_point.id}/readings/").follow()
    assert [r.select("td")[2].text for r in only.html.select("table.list tbody tr")] == ["SECOND-0002"]
    accepted_only = b.get(f"/p/{world.party.id}/readings/", {"state": "accepted", "sort": "meter"})
    assert len(accepted_only.html.select("table.list tbody tr")) == 3
    rows = sheet_rows(b.get(f"/p/{world.party.id}/readings/export.xlsx", {"point": str(world.point.id)}))
    assert len(rows) == 3 and rows[0][:4] == ["#", "Date", "Supply point", "Meter"]
    assert {r[3] for r in rows[1:]} == {"DAYNIGHT-0001"}


def test_the_party_home_links_supply_points_and_readings(world, browser):
    home = browser(world.author).get(f"/p/{world.party.id}/")
    assert f'href="http://localhost/p/{world.party.id}/supply-points"' in home.text
    assert f'href="http://localhost/p/{world.party.id}/readings"' in home.text

