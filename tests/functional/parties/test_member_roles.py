"""A member's role in its party decides what it sees there: the finance vertical's pages are for the
finance role (and "all", every membership's before roles existed) only; an operations member sees the
party, its requests and the rest, but no invoice, payment, statement, balance or advance. A blocked
party is nobody's among its members."""
import pytest
import webtest
from sqlalchemy import select

from portal.identity.auth import load_identity
from portal.parties.models import Membership, Party
from portal.scripts import demo
from portal.security.principals import principals_for
from tests.conftest import login
from tests.factories import TEST_PASSWORDS, ContractFactory, MembershipFactory, PartyFactory, UserFactory
from tests.factories import finance as make

FINANCE_PAGES = ("invoices/", "payments/", "statement", "advances/", "invoices/top-up")


@pytest.fixture
def books(dbsession):
    party = PartyFactory(name="Role Books Co")
    contract = ContractFactory(party=party)
    invoice = make.invoice(dbsession, party, number="ROLE-INV-1")
    make.balance(dbsession, party, amount="1234.00")
    schedule = make.advance_schedule(dbsession, party, contract, number="ROLE-ADV-1",
                                     payments=[(contract.valid_from, "100.00")])
    return party, invoice, schedule


def member(party, role):
    user = UserFactory()
    MembershipFactory(user=user, party=party, role=role)
    return user


def browser(app, testapp, user):
    tab = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(tab, user.login)
    return tab


def test_an_operations_member_sees_the_party_and_its_requests_but_no_money(app, testapp, books):
    party, invoice, schedule = books
    tab = browser(app, testapp, member(party, "operations"))
    home = tab.get(f"/p/{party.id}/")
    assert home.html.select_one("h1").text == "Role Books Co"
    tiles = {a.text for a in home.html.select("section.tiles a")}
    assert "Invoices" not in tiles and "Payments" not in tiles and "Requests" in tiles
    assert home.html.select_one("section.balances") is None and "1 234" not in home.text
    assert not home.html.select('header a[href$="/invoices/"]')
    tab.get(f"/p/{party.id}/requests/", status=200)
    for page in FINANCE_PAGES + (f"invoices/{invoice.id}/", f"invoices/{invoice.id}/pdf",
                                 f"advances/{schedule.id}/", "invoices/export.xlsx"):
        response = tab.get(f"/p/{party.id}/{page}", status=403)
        assert "ROLE-INV-1" not in response.text and "ROLE-ADV-1" not in response.text


@pytest.mark.parametrize("role", ["finance", "all"])
def test_finance_and_all_members_see_the_money(app, testapp, books, role):
    party, invoice, _schedule = books
    tab = browser(app, testapp, member(party, role))
    home = tab.get(f"/p/{party.id}/")
    assert "Invoices" in {a.text for a in home.html.select("section.tiles a")}
    assert home.html.select_one("section.balances") is not None
    assert "ROLE-INV-1" in tab.get(f"/p/{party.id}/invoices/").text
    for page in FINANCE_PAGES:
        tab.get(f"/p/{party.id}/{page}", status=200)


def test_a_customer_of_another_party_gets_404_whatever_its_role(app, testapp, books):
    party, invoice, _schedule = books
    tab = browser(app, testapp, member(PartyFactory(), "all"))
    for page in ("",) + FINANCE_PAGES + (f"invoices/{invoice.id}/",):
        tab.get(f"/p/{party.id}/{page}", status=404)


def test_a_role_changed_takes_effect_on_the_next_page(app, testapp, dbsession, books):
    party, _invoice, _schedule = books
    user = member(party, "finance")
    tab = browser(app, testapp, user)
    tab.get(f"/p/{party.id}/invoices/", status=200)
    dbsession.scalars(select(Membership).where(Membership.user_id == user.id)).one().role = "operations"
    dbsession.flush()
    tab.get(f"/p/{party.id}/invoices/", status=403)


def test_principals_carry_the_role_in_each_party_and_nothing_of_a_blocked_one(dbsession):
    one, two, blocked = PartyFactory(), PartyFactory(), PartyFactory(state="blocked")
    user = UserFactory()
    for party, role in ((one, "all"), (two, "operations"), (blocked, "all")):
        MembershipFactory(user=user, party=party, role=role)
    MembershipFactory(user=user, party=PartyFactory(), role="finance", state="suspended")
    identity = load_identity(dbsession, user)
    assert identity.party_ids == {one.id, two.id}
    assert identity.party_roles == {(one.id, "finance"), (one.id, "operations"), (two.id, "operations")}
    principals = principals_for(identity)
    assert f"party:{two.id}:operations" in principals and f"party:{two.id}:finance" not in principals
    assert not any(p.startswith(f"party:{blocked.id}") for p in principals)


def test_the_demo_holding_user_follows_sever_trans_operations_only(app, testapp, dbsession):
    demo.load_demo(dbsession, TEST_PASSWORDS)
    parties = {p.external_id: p for p in dbsession.scalars(select(Party))}
    tab = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(tab, "holding", demo.DEMO_PASSWORD)
    trans, energo = parties["DEMO-SEVER-TRANS"], parties["DEMO-SEVER-ENERGO"]
    tab.get(f"/p/{trans.id}/", status=200)
    tab.get(f"/p/{trans.id}/requests/", status=200)
    tab.get(f"/p/{trans.id}/invoices/", status=403)
    tab.get(f"/p/{energo.id}/invoices/", status=200)
    own = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
    login(own, "trans", demo.DEMO_PASSWORD)
    own.get(f"/p/{trans.id}/invoices/", status=200)
