"""Party home, holding switch, staff directory and party isolation through HTTP."""
import pytest

from tests.conftest import login
from tests.factories import (
    ContractFactory,
    ManagerAssignmentFactory,
    MembershipFactory,
    PartyFactory,
    UserFactory,
    customer,
    staff,
)


@pytest.fixture
def two_parties(dbsession):
    a = PartyFactory(name="Alpha Power", tax_id="1111111111", external_id="ALPHA-1")
    b = PartyFactory(name="Beta Water", tax_id="2222222222", external_id="BETA-2")
    ContractFactory(party=a, number="A-CONTRACT-1")
    ContractFactory(party=b, number="B-SECRET-9")
    return a, b


def test_party_home_shows_party_and_its_contracts(testapp, two_parties):
    a, b = two_parties
    login(testapp, customer(a).login)
    home = testapp.get(f"/p/{a.id}/")
    assert "Alpha Power" in home.text and "1111111111" in home.text
    assert "A-CONTRACT-1" in home.text
    assert "B-SECRET-9" not in home.text and "Beta Water" not in home.text


def test_party_without_contracts_says_so(testapp):
    party = PartyFactory()
    login(testapp, customer(party).login)
    assert "No contracts are on record" in testapp.get(f"/p/{party.id}/").text


@pytest.mark.parametrize("suffix", ["", "?page=2", "contracts", "anything/deeper"])
def test_other_partys_urls_answer_404(testapp, two_parties, suffix):
    a, b = two_parties
    login(testapp, customer(a).login)
    response = testapp.get(f"/p/{b.id}/{suffix}", status=404)
    assert "Beta Water" not in response.text and "B-SECRET-9" not in response.text


@pytest.mark.parametrize("key", ["abc", "-1", "1.5", "0x10", "%D9%A3", "99999999999999999999999", "0"])
def test_party_ids_that_are_not_numbers_or_do_not_exist_answer_404(testapp, key):
    login(testapp, customer().login)
    testapp.get(f"/p/{key}/", status=404)


def test_anonymous_visitor_is_sent_to_login_from_a_party(testapp, two_parties):
    a, _ = two_parties
    response = testapp.get(f"/p/{a.id}/", status=303)
    assert "/login?next=" in response.location


def test_revoked_or_requested_membership_gives_no_access(testapp, two_parties):
    a, _ = two_parties
    user = UserFactory()
    MembershipFactory(user=user, party=a, state="requested")
    login(testapp, user.login)
    testapp.get(f"/p/{a.id}/", status=404)
    listing = testapp.get("/p/")
    assert "not yet bound to a company" in listing.text


def test_holding_user_switches_between_its_parties(testapp, dbsession):
    holding = PartyFactory(name="Holding Group")
    first = PartyFactory(name="Daughter One", parent_id=holding.id)
    second = PartyFactory(name="Daughter Two", parent_id=holding.id)
    PartyFactory(name="Outsider Ltd")
    user = customer(first)
    MembershipFactory(user=user, party=second)
    response = login(testapp, user.login)
    assert response.location.endswith("/p")  # more than one party: the list first
    listing = response.follow()
    assert "Daughter One" in listing.text and "Daughter Two" in listing.text
    assert "Outsider Ltd" not in listing.text and "Holding Group" not in listing.text
    home = listing.click("Daughter One", index=0)
    switcher = home.html.select_one("details.switcher")
    assert switcher is not None
    links = {a.text.strip(): a["href"] for a in switcher.select("a")}
    assert set(links) == {"Daughter One", "Daughter Two"}
    second_home = testapp.get(links["Daughter Two"])
    assert second_home.html.select_one("h1").text == "Daughter Two"
    # The holding itself is not shown: the user is no member of it.
    assert "Holding Group" not in second_home.text


def test_one_party_user_sees_no_switcher(testapp):
    party = PartyFactory()
    login(testapp, customer(party).login)
    assert testapp.get(f"/p/{party.id}/").html.select_one("details.switcher") is None


def test_staff_directory_searches_and_pages(testapp, dbsession):
    for n in range(60):
        PartyFactory(name=f"Zeta {n:02d}")
    PartyFactory(name="Omega 50%_off")
    login(testapp, staff("backoffice").login)
    first = testapp.get("/p/?q=zeta")
    # A search counts no further than its page: more follow, and the last page knows the total.
    assert "1–50 of more than 50" in first.html.select_one("nav.pager").get_text()
    rows = first.html.select("table.list tbody tr")
    assert len(rows) == 50
    assert rows[0].select_one("a").text == "Zeta 00"
    second = testapp.get("/p/?q=zeta&page=2")
    assert len(second.html.select("table.list tbody tr")) == 10
    assert "51–60 of 60" in " ".join(second.html.select_one("nav.pager").get_text().split())
    desc = testapp.get("/p/?q=zeta&sort=-name")
    assert desc.html.select("table.list tbody tr")[0].select_one("a").text == "Zeta 59"
    # LIKE wildcards in the query are taken literally.
    literal = testapp.get("/p/?q=50%25_")
    names = [a.text for a in literal.html.select("table.list tbody a")]
    assert names == ["Omega 50%_off"]
    assert "No party matches" in testapp.get("/p/?q=nothing-like-this").text


def test_staff_directory_survives_odd_parameters(testapp):
    PartyFactory(name="Kappa")
    login(testapp, staff("head").login)
    for query in ("page=-5", "page=abc", "page=99999", "sort=password_hash", "sort=--name", "q=" + "x" * 5000):
        assert testapp.get("/p/?" + query).status_int == 200


def test_manager_sees_only_assigned_parties(testapp, two_parties):
    a, b = two_parties
    manager = staff("manager")
    ManagerAssignmentFactory(user_id=manager.id, party_id=a.id)
    login(testapp, manager.login)
    listing = testapp.get("/p/")
    assert "Alpha Power" in listing.text and "Beta Water" not in listing.text
    assert testapp.get(f"/p/{a.id}/").status_int == 200
    testapp.get(f"/p/{b.id}/", status=404)


@pytest.mark.parametrize("role", ["backoffice", "service", "head", "admin"])
def test_staff_roles_see_every_party(testapp, two_parties, role):
    a, b = two_parties
    login(testapp, staff(role).login)
    assert testapp.get(f"/p/{b.id}/").status_int == 200


def test_customer_cannot_open_admin_area(testapp):
    login(testapp, customer().login)
    response = testapp.get("/admin/users/", status=403)
    assert "Access denied" in response.text
