"""Small things a person notices: the current tab, the counters on a "not found" page, Russian form messages."""
from sqlalchemy import select

from portal.requests.models import CustomerRequest
from portal.workflows.models import Notice
from tests.conftest import login
from tests.factories import PartyFactory, customer


def test_my_company_is_highlighted_without_the_trailing_slash(testapp, dbsession):
    party = PartyFactory(name="Solo Co")
    login(testapp, customer(party).login)
    page = testapp.get(f"/p/{party.id}", status="*")
    if page.status_int in (301, 302, 303):
        page = page.follow()
    current = page.html.select('a[aria-current="page"]')
    assert any("My company" in a.text for a in current)


def test_counters_stay_on_a_not_found_page(testapp, dbsession):
    party = PartyFactory()
    person = customer(party)
    dbsession.add(Notice(user_id=person.id, party_id=party.id, workflow="request", item_id=1,
                         transition="assign", to_state="assigned"))
    dbsession.flush()
    login(testapp, person.login)
    page = testapp.get("/no-such-page", status=404)
    assert page.html.select_one("header a.unread-notices .counter").text.strip() == "1"


def test_deform_messages_read_in_our_russian(testapp, dbsession):
    party = PartyFactory()
    person = customer(party, language="ru")
    login(testapp, person.login)
    form = testapp.get(f"/p/{party.id}/messages/new").forms["new-thread"]
    form["subject"] = "x" * 300
    form["body"] = ""
    page = form.submit("submit", status="*")
    assert "Данные которые вы предоставили" not in page.text
    assert "Больше, чем максимальная длина" not in page.text
    assert "Форма заполнена с ошибками" in page.text
    assert dbsession.scalars(select(CustomerRequest)).all() == []
