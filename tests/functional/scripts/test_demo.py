"""The demo data (``portal-demo``) through HTTP: it reads in its users' language and keeps the rules
the UI keeps (nobody is left with a thread they may not open)."""
import re

import pytest
import webtest
from sqlalchemy import select

from portal.identity.models import User
from portal.identity.passwords import password_service_from_settings
from portal.messages.models import Message, MessageThread
from portal.parties.models import Party
from portal.requests.models import CustomerRequest
from portal.scripts import demo
from portal.staff.models import StaffGroup
from tests.conftest import login

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


@pytest.fixture
def demo_data(dbsession, app_settings):
    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    demo.load_demo_items(dbsession)
    demo.load_demo_work(dbsession, app_settings)
    dbsession.flush()
    return {p.external_id: p for p in dbsession.scalars(select(Party).where(Party.external_id.like("DEMO-%")))}


def browser(app, testapp, login_name):
    other = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(other, login_name, demo.DEMO_PASSWORD)
    return other


def test_the_russian_demo_party_reads_in_russian(app, testapp, dbsession, demo_data):
    energo = demo_data["DEMO-SEVER-ENERGO"]
    subjects = dbsession.scalars(select(CustomerRequest.subject).where(CustomerRequest.party_id == energo.id)).all()
    assert subjects and all(CYRILLIC.search(s) for s in subjects), subjects
    page = browser(app, testapp, "energo").get(f"/p/{energo.id}/requests/")
    for subject in subjects:
        assert subject in page.text
    assert "Reconciliation" not in page.text
    # The Russian users' names are Russian; the staff groups' names are read by both languages.
    assert dbsession.scalars(select(User.first_name).where(User.login == "energo")).one() == "Сергей"
    assert all(CYRILLIC.search(name) for name in dbsession.scalars(select(StaffGroup.name)))
    # An English-speaking party stays English.
    vostok = demo_data["DEMO-VOSTOK"]
    assert not any(CYRILLIC.search(s) for s in dbsession.scalars(
        select(CustomerRequest.subject).where(CustomerRequest.party_id == vostok.id)))


def test_every_demo_thread_can_be_opened_by_its_author(app, testapp, dbsession, demo_data):
    threads = dbsession.scalars(select(MessageThread).join(Party).where(Party.external_id.like("DEMO-%"))).all()
    assert len(threads) >= 2
    for thread in threads:
        author = dbsession.get(User, thread.created_by_id)
        page = browser(app, testapp, author.login).get(f"/p/{thread.party_id}/messages/{thread.id}/", status="*")
        assert page.status_int == 200, (author.login, thread.subject)
        first = dbsession.scalars(select(Message).where(Message.thread_id == thread.id)).first()
        assert first.body in page.text


def test_running_the_demo_again_adds_nothing(dbsession, app_settings, demo_data):
    count = len(dbsession.scalars(select(MessageThread)).all()), len(dbsession.scalars(select(StaffGroup)).all())
    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    demo.load_demo_items(dbsession)
    demo.load_demo_work(dbsession, app_settings)
    assert (len(dbsession.scalars(select(MessageThread)).all()), len(dbsession.scalars(select(StaffGroup)).all())) \
        == count


def test_every_demo_party_has_its_bank_details_in_its_language(app, testapp, dbsession, demo_data):
    from portal.changes.fields import FIELDS

    for external_id, party in demo_data.items():
        assert party.bank_name and party.bank_bic and party.bank_account, external_id
        russian = external_id in ("DEMO-SEVER", "DEMO-SEVER-ENERGO")
        assert bool(CYRILLIC.search(party.bank_name)) == russian, external_id
        assert bool(CYRILLIC.search(party.billing_address)) == russian, external_id
    energo = demo_data["DEMO-SEVER-ENERGO"]
    page = browser(app, testapp, "energo").get(f"/p/{energo.id}/account-info")
    assert "АО «Альфа-Банк»" in page.text and energo.bank_account in page.text
    # The change form the page leads to shows every value (nothing empty that the party has).
    form = page.click(href=r"/changes/new$").forms["change-request"]
    for name in FIELDS:
        assert form[name].value == (getattr(energo, name) or ""), name


def test_the_demo_fills_master_data_once_and_keeps_what_a_customer_changed(dbsession, app_settings, demo_data):
    yug = demo_data["DEMO-YUG"]
    yug.phone = "+7 861 999-00-00"  # as if a change request had been approved
    yug.bank_name = None  # as the accounting system might send it
    dbsession.flush()
    demo.load_demo(dbsession, password_service_from_settings(app_settings))
    dbsession.refresh(yug)
    assert yug.phone == "+7 861 999-00-00" and yug.bank_name is None
