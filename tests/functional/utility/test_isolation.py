"""Another party's supply point, meter, reading and contract document: 404 under either party's URL,
never listed, counted or exported; a form naming another party's meter stores nothing."""
from tests.factories import ContractFactory
from tests.functional.views.test_exports import all_text

from .conftest import TODAY, readings_of, text_of
from .test_supply_points import store_document

SECRETS = ("Hidden Vodokanal", "Secret quay 9", "SECRET-SP-9", "SECRET-METER-9")


def shows_nothing_of_the_other(page):
    text = text_of(page) if page.content_type == "text/html" else all_text(page)
    return not [s for s in SECRETS if s in text]


def test_another_partys_supply_point_is_not_found(world, browser):
    b = browser(world.author)
    theirs, pid = world.other_point.id, world.party.id
    for url in (f"/p/{pid}/supply-points/{theirs}/", f"/p/{pid}/supply-points/{theirs}/readings/new",
                f"/p/{pid}/supply-points/{theirs}/readings/", f"/p/{world.other.id}/supply-points/",
                f"/p/{world.other.id}/supply-points/{theirs}/"):
        assert b.get(url, status="*").status_int == 404, url


def test_another_partys_meter_is_not_found_and_a_form_naming_it_stores_nothing(world, browser, dbsession):
    b = browser(world.author)
    form_url = world.form_url
    b.get(form_url + f"?meter={world.other_meter.id}", status=404)
    token = b.get("/account/").html.find("input", attrs={"name": "csrf_token"})["value"]
    names = {r.code: f"r{r.id}" for r in world.other_meter.registers}
    before = readings_of(dbsession, world.other_meter), readings_of(dbsession, world.meter)
    b.post(form_url + f"?meter={world.other_meter.id}",
           {"csrf_token": token, "__formid__": f"reading-{world.other_meter.id}", "reading_date": TODAY.isoformat(),
            names["T1"]: "900", names["T2"]: "400", "comment": "", "submit": "submit"}, status=404)
    assert (readings_of(dbsession, world.other_meter), readings_of(dbsession, world.meter)) == before
    b.get(form_url + "?meter=99999999999999999999", status=404)


def test_another_partys_reading_is_not_found(world, browser):
    b = browser(world.author)
    theirs = world.other_reading.id
    for url in (f"/p/{world.party.id}/readings/{theirs}/", f"/p/{world.other.id}/readings/{theirs}/",
                f"/p/{world.other.id}/readings/"):
        assert b.get(url, status="*").status_int == 404, url
    token = b.get("/account/").html.find("input", attrs={"name": "csrf_token"})["value"]
    b.post(f"/p/{world.party.id}/readings/{theirs}/transition",
           {"csrf_token": token, "transition": "accept"}, status=404)


def test_another_partys_contract_document_is_not_found(world, browser, dbsession, app_settings):
    world.other_point.contract = ContractFactory(party=world.other, number="SECRET-C-1")
    document = store_document(dbsession, app_settings, world.other_point.contract, "secret-contract.pdf")
    outsider = browser(world.outsider)
    assert outsider.get(f"/p/{world.other.id}/supply-points/{world.other_point.id}/contract").status_int == 200
    b = browser(world.author)
    for url in (f"/p/{world.other.id}/supply-points/{world.other_point.id}/contract",
                f"/p/{world.party.id}/supply-points/{world.other_point.id}/contract",
                f"/p/{world.party.id}/attachments/{document.id}", f"/p/{world.other.id}/attachments/{document.id}"):
        assert b.get(url, status="*").status_int == 404, url


def test_lists_and_exports_show_and_count_only_the_partys_own(world, browser):
    b = browser(world.author)
    for url in (f"/p/{world.party.id}/supply-points/", f"/p/{world.party.id}/supply-points/export.xlsx",
                f"/p/{world.party.id}/readings/", f"/p/{world.party.id}/readings/export.xlsx",
                f"/p/{world.party.id}/supply-points/{world.point.id}/",
                f"/p/{world.party.id}/readings/?point={world.other_point.id}"):
        page = b.get(url)
        assert shows_nothing_of_the_other(page), url
    listed = b.get(f"/p/{world.party.id}/readings/")
    assert "1–1 of 1" in listed.text  # the other party's reading is not counted
    assert "1–1 of 1" in b.get(f"/p/{world.party.id}/supply-points/").text
    assert "No reading matches the filter." in b.get(f"/p/{world.party.id}/readings/?point={world.other_point.id}").text


def test_another_partys_point_cannot_be_switched(world, browser, dbsession):
    clerk_of_other = browser(world.manager_other)
    token = clerk_of_other.get("/account/").html.find("input", attrs={"name": "csrf_token"})["value"]
    clerk_of_other.post(f"/p/{world.party.id}/supply-points/{world.point.id}/self-readings",
                        {"csrf_token": token, "allowed": "false"}, status=404)
    dbsession.flush()
    dbsession.refresh(world.point)
    assert world.point.self_readings is True
