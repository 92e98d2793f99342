"""Self-readings through HTTP: the form per meter, every kind of bad input (a message, nothing stored),
plausible readings accepted at once, implausible ones needing a comment and going to review, and
staff accepting or rejecting them with a reason the customer reads."""
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

import portal
from portal.audit.models import AuditEntry
from portal.outbox.models import OutboxMessage
from portal.utility.models import Reading
from portal.workflows.models import Notice
from tests.factories.utility import RegisterFactory, SupplyPointFactory, accepted, day_night_meter

from .conftest import MONTH_AGO, TODAY, messages, readings_of, send, text_of


def last_reading(dbsession, meter):
    dbsession.flush()
    return dbsession.scalars(select(Reading).where(Reading.meter_id == meter.id).order_by(Reading.id.desc())).first()


def test_the_form_shows_each_register_with_the_last_accepted_reading_and_its_date(world, browser):
    page = browser(world.author).get(world.form_url)
    section = page.html.select_one(f"#meter-{world.meter.id}")
    shown = section.get_text(" ")
    assert "DAYNIGHT-0001" in shown and "Day: 1,000 kWh" in " ".join(shown.split())
    assert MONTH_AGO.strftime("%Y") in shown
    form = page.forms[f"reading-{world.meter.id}"]
    assert {f"r{r.id}" for r in world.meter.registers} <= set(form.fields)
    assert form["reading_date"].value == TODAY.isoformat()


def test_a_plausible_reading_is_accepted_at_once_without_a_notice(world, browser, dbsession):
    b = browser(world.author)
    answer = send(b, world, t1="1300", t2="655")
    assert answer.status_int == 303
    page = answer.follow()
    assert "the reading is accepted" in page.text
    reading = last_reading(dbsession, world.meter)
    assert reading.state == "accepted" and reading.plausible is True and reading.author_id == world.author.id
    assert {v.register.code: v.consumption for v in reading.values} == {"T1": 300, "T2": 155}
    assert page.request.path == f"/p/{world.party.id}/readings/{reading.id}/"
    assert dbsession.scalar(select(func.count()).select_from(Notice).where(Notice.item_id == reading.id,
                                                                            Notice.workflow == "reading")) == 0


BAD_INPUT = [
    ({"t1": "abc", "t2": "600"}, "is not a number"),
    ({"t1": "-5", "t2": "600"}, "cannot be negative"),
    ({"t1": "1" * 20, "t2": "600"}, "at most 6 digits before the decimal point"),
    ({"t1": "1300.55", "t2": "600"}, "at most 1 digits after the decimal point"),
    ({"t1": "1300", "t2": ""}, "every register of the meter, or none"),
    ({"t1": "", "t2": ""}, "Enter the meter's readings"),
    ({"t1": "999", "t2": "600"}, "Lower than the previous reading"),
    ({"t1": "1300", "t2": "600", "day": "2026-02-31"}, "Invalid date"),
    ({"t1": "1300", "t2": "600", "day": "31.02."}, "Invalid date"),
    ({"t1": "1300", "t2": "600", "day": TODAY + timedelta(days=1)}, "cannot be in the future"),
    ({"t1": "1300", "t2": "600", "day": MONTH_AGO - timedelta(days=1)}, "before the previous reading"),
    ({"t1": "1300", "t2": "600", "day": MONTH_AGO}, "one a day"),
    ({"t1": "1300", "t2": "600", "comment": "x" * 2001}, "Longer than maximum length 2000"),
]


@pytest.mark.parametrize("fields, message", BAD_INPUT)
def test_bad_input_gets_a_clear_message_and_stores_nothing(world, browser, dbsession, fields, message):
    before = readings_of(dbsession, world.meter)
    answer = send(browser(world.author), world, **fields)
    assert answer.status_int == 400
    assert message in messages(answer), messages(answer)
    assert readings_of(dbsession, world.meter) == before


def test_a_second_reading_the_same_day_is_refused_and_stores_nothing(world, browser, dbsession):
    b = browser(world.author)
    assert send(b, world, t1="1300", t2="655").status_int == 303
    before = readings_of(dbsession, world.meter)
    again = send(b, world, t1="1301", t2="656")
    assert again.status_int == 400
    assert "There is already a reading of this meter on" in messages(again)
    assert readings_of(dbsession, world.meter) == before


def test_a_decimal_comma_is_read_in_russian(world, browser, dbsession):
    world.author.language = "ru"
    answer = send(browser(world.author), world, t1="1300,5", t2="655,2")
    assert answer.status_int == 303, messages(answer)
    assert [v.value for v in last_reading(dbsession, world.meter).values] == [Decimal("1300.5"), Decimal("655.2")]


def test_a_decimal_comma_in_english_is_refused_not_misread(world, browser, dbsession):
    answer = send(browser(world.author), world, t1="1300,5", t2="655")
    assert answer.status_int == 400 and "is not a number" in messages(answer)


def test_an_implausible_reading_needs_a_comment_and_then_goes_to_review(world, browser, dbsession):
    b = browser(world.author)
    before = readings_of(dbsession, world.meter)
    refused = send(b, world, t1="9000", t2="655")
    assert refused.status_int == 400
    assert "far from the usual consumption" in messages(refused)
    assert "Day: 8,000 kWh" in text_of(refused) and "far more than the usual 310 kWh" in text_of(refused)
    assert readings_of(dbsession, world.meter) == before
    answer = send(b, world, t1="9000", t2="655", comment="The heating ran all month.")
    assert answer.status_int == 303
    assert "Our staff will review it" in answer.follow().text
    reading = last_reading(dbsession, world.meter)
    assert reading.state == "submitted" and reading.plausible is False
    assert reading.comment == "The heating ran all month."
    queue = browser(world.backoffice).get("/readings/")
    assert "Metered Energo" in queue.text and "The heating ran all month." in queue.text
    # The meter takes no further reading while this one waits.
    page = b.get(world.form_url)
    assert f"reading-{world.meter.id}" not in page.forms
    assert "still being reviewed" in page.text


def test_a_rollover_past_the_capacity_is_taken_when_plausible(world, browser, dbsession):
    point = SupplyPointFactory(party=world.party)
    meter = day_night_meter(dbsession, point, digits=4, decimals=0)
    accepted(dbsession, meter, MONTH_AGO, T1="9900", T2="100")
    url = f"/p/{world.party.id}/supply-points/{point.id}/readings/new"
    answer = send(browser(world.author), world, t1="210", t2="255", meter=meter, url=url)  # 9900 -> 10000 -> 210
    assert answer.status_int == 303, messages(answer)
    reading = last_reading(dbsession, meter)
    day = reading.values[0]
    assert day.rollover and day.consumption == 310 and reading.state == "accepted"
    assert "past the meter's capacity" in answer.follow().text


def test_a_first_reading_cannot_be_judged_and_waits_for_review(world, browser, dbsession):
    point = SupplyPointFactory(party=world.party)
    meter = day_night_meter(dbsession, point)
    url = f"/p/{world.party.id}/supply-points/{point.id}/readings/new"
    assert send(browser(world.author), world, t1="10", t2="5", meter=meter, url=url).status_int == 303
    reading = last_reading(dbsession, meter)
    assert reading.state == "submitted" and reading.plausible is None


def test_a_supply_point_not_open_for_self_readings_takes_none(world, browser, dbsession):
    world.point.self_readings = False
    b = browser(world.author)
    page = b.get(world.form_url)
    assert "Self-readings are not offered for this supply point" in page.text and not page.forms.get(
        f"reading-{world.meter.id}")
    token = b.get("/account/").html.find("input", attrs={"name": "csrf_token"})["value"]
    names = {r.code: f"r{r.id}" for r in world.meter.registers}
    b.post(world.form_url + f"?meter={world.meter.id}",
           {"csrf_token": token, "reading_date": TODAY.isoformat(), names["T1"]: "1300", names["T2"]: "655",
            "comment": "", "submit": "submit", "__formid__": f"reading-{world.meter.id}"}, status=403)
    assert readings_of(dbsession, world.meter) == 1
    assert "Send a meter reading" not in b.get(f"/p/{world.party.id}/supply-points/{world.point.id}/").text


def test_a_removed_meter_gets_no_form(world, browser, dbsession):
    world.meter.removed_on = MONTH_AGO
    page = browser(world.author).get(world.form_url)
    assert f"reading-{world.meter.id}" not in page.forms
    browser(world.author).get(world.form_url + f"?meter={world.meter.id}", status=404)


def test_staff_may_not_send_a_customers_reading(world, browser):
    browser(world.backoffice).get(world.form_url, status=403)


@pytest.fixture
def waiting(world, browser, dbsession):
    send(browser(world.author), world, t1="9000", t2="655", comment="Guests stayed.")
    return last_reading(dbsession, world.meter)


def decide(b, url, transition, comment=""):
    page = b.get(url)
    form = next(f for f in page.forms.values() if "transition" in f.fields and f["transition"].value == transition)
    if comment:
        form["comment"] = comment
    return form.submit(status="*")


def test_staff_accept_a_reviewed_reading_audited_and_the_customer_is_told(world, browser, dbsession, waiting):
    url = f"/p/{world.party.id}/readings/{waiting.id}/"
    clerk = browser(world.backoffice)
    assert decide(clerk, url, "accept").status_int == 303
    dbsession.refresh(waiting)
    assert waiting.state == "accepted" and waiting.decided_by_id == world.backoffice.id
    entry = dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "reading.accept")).one()
    assert entry.actor_id == world.backoffice.id and entry.target == f"reading:{waiting.id}"
    notices = dbsession.scalars(select(Notice).where(Notice.workflow == "reading", Notice.item_id == waiting.id,
                                                     Notice.transition == "accept")).all()
    assert [n.user_id for n in notices] == [world.author.id]
    mail = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == world.author.id)).one()
    assert "DAYNIGHT-0001" in mail.subject and "Accepted" in mail.subject
    assert url not in clerk.get("/readings/").text  # decided: no longer in the queue
    notices_page = browser(world.author).get("/account/notices").text
    assert "Meter reading" in notices_page and "DAYNIGHT-0001" in notices_page
    # Now accepted, it is the last reading the next one is compared with.
    assert "9,000" in browser(world.author).get(world.form_url).text


def test_staff_reject_with_a_reason_the_customer_reads(world, browser, dbsession, waiting):
    url = f"/p/{world.party.id}/readings/{waiting.id}/"
    clerk = browser(world.backoffice)
    assert decide(clerk, url, "reject").status_int == 303  # no reason: refused
    dbsession.refresh(waiting)
    assert waiting.state == "submitted"
    decide(clerk, url, "reject", comment="The photo shows 1 900, not 9 000.")
    dbsession.refresh(waiting)
    assert waiting.state == "rejected" and waiting.reason == "The photo shows 1 900, not 9 000."
    assert dbsession.scalars(select(AuditEntry).where(AuditEntry.action == "reading.reject")).one().detail[
        "comment"] == "The photo shows 1 900, not 9 000."
    customer = browser(world.author)
    page = customer.get(url)
    assert "Why it was rejected:" in page.text and "The photo shows 1 900, not 9 000." in page.text
    assert "The photo shows 1 900, not 9 000." in customer.get(f"/p/{world.party.id}/readings/").text
    assert dbsession.scalar(select(func.count()).select_from(Notice).where(
        Notice.user_id == world.author.id, Notice.item_id == waiting.id, Notice.transition == "reject")) == 1
    # A rejected reading frees its day: the customer sends it again, right this time.
    answer = send(customer, world, t1="1900", t2="655")
    assert answer.status_int == 303, messages(answer)


def test_a_customer_cannot_decide_a_reading(world, browser, waiting):
    page = browser(world.author).get(f"/p/{world.party.id}/readings/{waiting.id}/")
    assert not [f for f in page.forms.values() if "transition" in f.fields]


def test_the_head_reads_the_queue_but_does_not_decide(world, browser, waiting):
    boss = browser(world.head)
    assert "Guests stayed." in boss.get("/readings/").text
    page = boss.get(f"/p/{world.party.id}/readings/{waiting.id}/")
    assert not [f for f in page.forms.values() if "transition" in f.fields]


def test_a_manager_decides_his_own_parties_readings_only(world, browser, waiting):
    assert "Guests stayed." in browser(world.manager).get("/readings/").text
    theirs = browser(world.manager_other)
    assert "Guests stayed." not in theirs.get("/readings/").text
    theirs.get(f"/p/{world.party.id}/readings/{waiting.id}/", status=404)


def test_customers_cannot_open_the_review_queue(world, browser):
    assert browser(world.author).get("/readings/", status="*").status_int in (403, 404)


def test_the_review_queue_exports_what_it_lists(world, browser, waiting):
    from tests.functional.views.test_exports import all_text

    export = browser(world.backoffice).get("/readings/export.xlsx")
    assert "Guests stayed." in all_text(export) and "Metered Energo" in all_text(export)


def test_the_dashboard_counts_readings_and_links_the_queue(world, browser, waiting):
    page = browser(world.backoffice).get("/dashboard/")
    assert "Meter readings" in page.text and "http://localhost/readings/" in page.text


@pytest.fixture(scope="module")
def reviewing_app(app_settings, migrated_engine):
    return portal.main({}, **dict(app_settings, **{"portal.readings.auto_accept": "false"}))


def test_without_auto_accept_a_plausible_reading_waits_for_review(world, browser, dbsession, reviewing_app):
    b = browser(world.author, reviewing_app)
    assert send(b, world, t1="1300", t2="655").status_int == 303
    reading = last_reading(dbsession, world.meter)
    assert reading.state == "submitted" and reading.plausible is True


def test_a_tighter_tolerance_makes_a_reading_implausible(world, browser, dbsession, app_settings, migrated_engine):
    strict = portal.main({}, **dict(app_settings, **{"portal.readings.tolerance": "1.1"}))
    answer = send(browser(world.author, strict), world, t1="1400", t2="655")  # 400 where 310 is usual
    assert answer.status_int == 400 and "far from the usual consumption" in messages(answer)


def test_a_reading_with_hostile_text_is_refused_escaped(world, browser, dbsession):
    answer = send(browser(world.author), world, t1="<script>alert(1)</script>", t2="655")
    assert answer.status_int == 400 and "<script>alert(1)</script>" not in answer.text


def test_a_register_added_later_has_no_consumption_yet(world, browser, dbsession):
    RegisterFactory(meter=world.meter, code="T3", name="Peak", position=2, expected_daily=None)
    dbsession.refresh(world.meter)
    b = browser(world.author)
    page = b.get(world.form_url)
    form = page.forms[f"reading-{world.meter.id}"]
    names = {r.code: f"r{r.id}" for r in world.meter.registers}
    form[names["T1"]] = "1300"
    form[names["T2"]] = "655"
    form[names["T3"]] = "12"
    assert form.submit("submit", status="*").status_int == 303
    reading = last_reading(dbsession, world.meter)
    assert reading.state == "submitted" and [v.consumption for v in reading.values][2] is None


def test_a_reading_for_review_is_news_for_the_back_office_and_the_partys_managers(world, browser, dbsession,
                                                                                  waiting):
    told = set(dbsession.scalars(select(Notice.user_id).where(Notice.workflow == "reading",
                                                              Notice.item_id == waiting.id)))
    assert {world.backoffice.id, world.manager.id} <= told
    assert not told & {world.manager_other.id, world.author.id, world.head.id}
    mail = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == world.backoffice.id)).one()
    assert "awaits review" in mail.subject and "Metered Energo" in mail.subject and "Guests stayed." in mail.body


def test_a_reading_accepted_at_once_is_news_for_nobody(world, browser, dbsession):
    send(browser(world.author), world, t1="1300", t2="655")
    reading = last_reading(dbsession, world.meter)
    assert dbsession.scalars(select(Notice).where(Notice.workflow == "reading", Notice.item_id == reading.id)).all() \
        == []
