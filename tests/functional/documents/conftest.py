"""A small library for the documents' tests: documents of every visibility and validity, three
parties (one in a party group), their users and staff."""
from datetime import date, timedelta
from types import SimpleNamespace

import pytest
import webtest

from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, PartyFactory, customer, staff
from tests.factories import documents as make


@pytest.fixture
def library(dbsession):
    today = date.today()
    mine = PartyFactory(name="Reader Energo", external_id="READER-1", tax_id="7800000001")
    other = PartyFactory(name="Stranger Trans", external_id="STRANGER-1", tax_id="7800000002")
    grouped = PartyFactory(name="Grouped Water", external_id="GROUPED-1", tax_id="7800000003")
    group = make.party_group(dbsession, "Water utilities", [grouped])
    contracts = make.folder(dbsession, "Contracts", "Договоры")
    forms = make.folder(dbsession, "Forms", "Бланки")
    clerk = staff("backoffice", login="clerk", last_name="Clerk")
    docs = SimpleNamespace(
        public=make.document(dbsession, title_en="Supply contract template", title_ru="Типовой договор поставки",
                             folder=contracts, tags="contract, template, 2026"),
        form=make.document(dbsession, title_en="Connection form", title_ru="Заявление на подключение",
                           folder=forms, tags="form, 2026-q1"),
        mine=make.document(dbsession, title_en="Agreement for Reader", folder=contracts, visibility="chosen",
                           parties=[mine], tags="agreement"),
        other=make.document(dbsession, title_en="Agreement for Stranger", folder=contracts, visibility="chosen",
                            parties=[other], tags="agreement"),
        grouped=make.document(dbsession, title_en="Water quality report", visibility="chosen", groups=[group]),
        staff_only=make.document(dbsession, title_en="Internal pricing", folder=forms, visibility="staff",
                                 tags="template"),
        withdrawn=make.document(dbsession, title_en="Old tariff", folder=contracts, tags="template"),
        expired=make.document(dbsession, title_en="Expired offer", valid_to=today - timedelta(days=1),
                              tags="template"),
        future=make.document(dbsession, title_en="Next year tariff", valid_from=today + timedelta(days=400),
                             tags="template"),
    )
    docs.withdrawn.state = "withdrawn"
    manager = staff("manager", login="acct-manager")
    ManagerAssignmentFactory(user_id=manager.id, party_id=mine.id)
    dbsession.flush()
    return SimpleNamespace(
        mine=mine, other=other, grouped=grouped, group=group, contracts=contracts, forms=forms, docs=docs,
        reader=customer(mine, login="reader", last_name="Reader"),
        colleague=customer(mine, login="colleague", last_name="Colleague"),
        stranger=customer(other, login="stranger"),
        water=customer(grouped, login="water"),
        clerk=clerk, manager=manager,
    )


@pytest.fixture
def as_user(app, testapp):
    """``as_user(user)``: a browser on the test's transaction, logged in as ``user``."""

    def make_browser(user):
        browser = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
        login(browser, user.login)
        return browser

    return make_browser
