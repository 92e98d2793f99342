"""``/messages/``: the threads of every party a user may see (unread first, or all), by party, exported;
and the header's counter leading to where the unread messages are."""
import io
from types import SimpleNamespace

import openpyxl
import pytest
import webtest

from portal.parties.models import Membership
from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, PartyFactory, customer, staff
from tests.factories.messages import thread as make_thread

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def world(dbsession):
    a, b, c = PartyFactory(name="Alpha Co"), PartyFactory(name="Beta Co"), PartyFactory(name="Gamma Secret Co")
    manager = staff("manager", last_name="Manager")
    for party in (a, b):
        ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    holding = customer(a, last_name="Holding")
    dbsession.add(Membership(user_id=holding.id, party_id=b.id, state="active"))
    dbsession.flush()
    return SimpleNamespace(a=a, b=b, c=c, manager=manager, holding=holding,
                           gamma=customer(c, last_name="Gamma"), service=staff("service", last_name="Clerk"))


def browser(app, testapp, user):
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, user.login)
    return other


def subjects(page) -> list:
    return [a.text for a in page.html.select("table.threads tbody td:first-child > a")]


def counter(page, selector="header a.unread-messages .counter") -> int:
    badge = page.html.select_one(selector)
    return int(badge.text) if badge is not None else 0


def rows_of(response) -> list:
    assert response.content_type == XLSX
    return [[c.value for c in r] for r in openpyxl.load_workbook(io.BytesIO(response.body)).active.iter_rows()]


def test_staff_see_only_the_threads_of_parties_they_may_see_unread_first(app, testapp, dbsession, world):
    make_thread(dbsession, world.a, world.holding, from_staff=False, subject="Alpha asks")
    make_thread(dbsession, world.b, world.holding, from_staff=False, subject="Beta asks")
    make_thread(dbsession, world.c, world.gamma, from_staff=False, subject="Gamma hidden")
    make_thread(dbsession, world.a, world.manager, from_staff=True, subject="Alpha told")
    manager = browser(app, testapp, world.manager)
    page = manager.get("/messages/")
    # Unread for the manager: the two customer threads of the parties assigned to them, newest first.
    assert subjects(page) == ["Beta asks", "Alpha asks"]
    assert "Gamma" not in page.text
    assert page.html.select_one("nav.tabs a[aria-current=page]").text == "Unread"
    assert [o.text for o in page.html.select("select[name=party] option")] == ["all companies", "Alpha Co (1)",
                                                                              "Beta Co (1)"]
    row = page.html.select("table.threads tbody tr")[0]
    assert "unread" in row["class"] and row.select_one(".counter").text == "1"
    thread_link = row.select_one("td:first-child a")["href"]
    assert f"/p/{world.b.id}/messages/" in thread_link
    everything = manager.get("/messages/?show=all")
    assert subjects(everything) == ["Alpha told", "Beta asks", "Alpha asks"]
    # Filtered by party, through the filter or the party's link in a row.
    assert subjects(manager.get(f"/messages/?show=all&party={world.a.id}")) == ["Alpha told", "Alpha asks"]
    link = everything.html.select_one("table.threads tbody td a.party")["href"]
    assert subjects(manager.get(link)) == ["Alpha told", "Alpha asks"]
    # Another party's id lists nothing and names nothing.
    foreign = manager.get(f"/messages/?show=all&party={world.c.id}")
    assert subjects(foreign) == [] and "Gamma" not in foreign.text
    assert "No conversation matches the filter." in foreign.text
    # Reading a thread takes it off the unread tab.
    manager.get(thread_link)
    assert subjects(manager.get("/messages/")) == ["Alpha asks"]
    assert manager.get("/messages/?sort=bogus&page=-1&party=x&show=y").status_int == 200


def test_the_export_lists_what_the_page_lists_with_each_party(app, testapp, dbsession, world):
    make_thread(dbsession, world.a, world.holding, from_staff=False, subject="Alpha asks", replies=1)
    make_thread(dbsession, world.b, world.holding, from_staff=False, subject="Beta asks")
    make_thread(dbsession, world.c, world.gamma, from_staff=False, subject="Gamma hidden")
    manager = browser(app, testapp, world.manager)
    page = manager.get("/messages/?show=all&sort=subject")
    rows = rows_of(manager.get(page.html.select_one("p.export a")["href"]))
    assert rows[0] == ["#", "Company", "Subject", "Started by", "Started (UTC)", "Last message (UTC)", "Messages",
                       "Unread"]
    assert [(r[1], r[2], r[6], r[7]) for r in rows[1:]] == [("Alpha Co", "Alpha asks", 2, 2),
                                                          ("Beta Co", "Beta asks", 1, 1)]
    only_b = rows_of(manager.get(f"/messages/export.xlsx?show=all&party={world.b.id}"))
    assert [r[2] for r in only_b[1:]] == ["Beta asks"]
    assert len(rows_of(manager.get(f"/messages/export.xlsx?show=all&party={world.c.id}"))) == 1
    # Staff who see every party see every thread.
    clerk = browser(app, testapp, world.service)
    assert len(rows_of(clerk.get("/messages/export.xlsx?show=all"))) == 4


def test_a_holdings_counter_leads_to_the_party_where_the_unread_messages_are(app, testapp, dbsession, world):
    make_thread(dbsession, world.b, world.manager, from_staff=True, subject="For Beta", replies=1)
    make_thread(dbsession, world.c, world.service, from_staff=True, subject="Gamma secret news")
    login(testapp, world.holding.login)
    on_a = testapp.get(f"/p/{world.a.id}/")
    assert counter(on_a) == 2
    link = on_a.html.select_one("header a.unread-messages")["href"]
    assert link == "http://localhost/messages/"  # not Alpha's messages: nothing is unread there
    inbox = testapp.get(link)
    assert subjects(inbox) == ["For Beta"] and "Gamma" not in inbox.text
    assert [o.text for o in inbox.html.select("select[name=party] option")] == ["all companies", "Alpha Co",
                                                                              "Beta Co (2)"]
    # The party switcher says where they are.
    switcher = {a.contents[0]: a.select_one(".counter") for a in on_a.html.select("details.switcher li a")}
    assert switcher["Alpha Co"] is None and switcher["Beta Co"].text == "2"
    # On Beta's own pages the counter leads to Beta's messages; off any party, too, as they are all there.
    on_b = testapp.get(f"/p/{world.b.id}/")
    assert on_b.html.select_one("header a.unread-messages")["href"].endswith(f"/p/{world.b.id}/messages/")
    assert testapp.get("/account/").html.select_one("header a.unread-messages")["href"].endswith(
        f"/p/{world.b.id}/messages/")
    # Unread in both parties: /messages/ from anywhere.
    make_thread(dbsession, world.a, world.manager, from_staff=True, subject="For Alpha")
    for url in ("/account/", f"/p/{world.b.id}/"):
        assert testapp.get(url).html.select_one("header a.unread-messages")["href"] == "http://localhost/messages/"
    assert subjects(testapp.get("/messages/")) == ["For Alpha", "For Beta"]
    # The party's own list leads to all of them.
    assert testapp.get(f"/p/{world.a.id}/messages/").html.select_one("a.inbox")["href"].endswith("/messages/")


def test_a_customer_never_lists_or_counts_another_partys_thread(app, testapp, dbsession, world):
    make_thread(dbsession, world.c, world.service, from_staff=True, subject="Gamma secret news")
    make_thread(dbsession, world.a, world.manager, from_staff=True, subject="For Alpha")
    login(testapp, world.holding.login)
    for url in ("/messages/", "/messages/?show=all", f"/messages/?show=all&party={world.c.id}"):
        response = testapp.get(url)
        assert "Gamma" not in response.text and "secret" not in response.text, url
    assert [r[2] for r in rows_of(testapp.get("/messages/export.xlsx?show=all"))[1:]] == ["For Alpha"]
    assert len(rows_of(testapp.get(f"/messages/export.xlsx?show=all&party={world.c.id}"))) == 1
    assert counter(testapp.get("/messages/")) == 1
    gamma = browser(app, testapp, world.gamma)
    page = gamma.get("/messages/?show=all")
    assert subjects(page) == ["Gamma secret news"] and "Alpha" not in page.text
    # A one-party customer's counter leads to its party's messages; it offers no filter by party it lacks.
    assert gamma.get("/account/").html.select_one("header a.unread-messages")["href"].endswith(
        f"/p/{world.c.id}/messages/")
    assert [o.text for o in page.html.select("select[name=party] option")] == ["all companies", "Gamma Secret Co (1)"]


def test_staff_without_unread_messages_are_led_to_all_conversations(app, testapp, dbsession, world):
    clerk = browser(app, testapp, world.service)
    page = clerk.get("/account/")
    assert page.html.select_one("header a.unread-messages")["href"] == "http://localhost/messages/?show=all"
    assert "There are no messages yet." in clerk.get("/messages/?show=all").text
    assert "You have read every message." in clerk.get("/messages/").text


def test_anonymous_visitors_are_sent_to_log_in(app, testapp):
    for url in ("/messages/", "/messages/export.xlsx"):
        response = testapp.get(url, status=303)
        assert "/login" in response.location
