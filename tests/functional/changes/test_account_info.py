"""``/p/<id>/account-info``: the party's master data, a tile on its home, the way to the change form;
for whoever may see the party, 404 for everyone else."""
import pytest
import webtest

from tests.conftest import login
from tests.factories import ManagerAssignmentFactory, PartyFactory, customer, staff
from tests.factories.changes import PARTY_VALUES, change_request

OTHER = {"billing_address": "Kazan, Secret street 99", "contact_person": "Hidden Person",
         "email": "secret@other.test", "phone": "+7 843 999-99-99", "bank_name": "Hidden Bank of Kazan",
         "bank_bic": "049205603", "bank_account": "40702810999999999999", "invoice_channel": "post",
         "invoice_email": "hidden-invoices@other.test"}


@pytest.fixture
def setup(dbsession):
    party = PartyFactory(name="Informed Co", tax_id="7701234567", address="Moscow, Arbat 10", **PARTY_VALUES)
    other = PartyFactory(name="Bystander Ltd", **OTHER)
    manager = staff("manager", last_name="Manager")
    ManagerAssignmentFactory(user_id=manager.id, party_id=party.id)
    return {"party": party, "other": other, "customer": customer(party, last_name="Member"),
            "outsider": customer(other, last_name="Outsider"), "manager": manager,
            "manager_other": staff("manager", last_name="Elsewhere"), "backoffice": staff("backoffice")}


@pytest.fixture
def browser(app, testapp):
    def open_as(user):
        b = webtest.TestApp(app, extra_environ=dict(testapp.extra_environ))
        login(b, user.login)
        return b

    return open_as


def url(party):
    return f"/p/{party.id}/account-info"


def shown(page) -> dict:
    return {dt.text.strip(): dt.find_next_sibling("dd").text.strip() for dt in page.html.select("dl.facts dt")}


def test_the_page_shows_the_partys_billing_contact_bank_and_delivery_data(browser, setup):
    page = browser(setup["customer"]).get(url(setup["party"]))
    facts = shown(page)
    assert facts["Name"] == "Informed Co" and facts["Tax id"] == "7701234567" and facts["Address"] == "Moscow, Arbat 10"
    assert facts["Billing address"] == PARTY_VALUES["billing_address"]
    assert facts["Contact person"] == PARTY_VALUES["contact_person"]
    assert (facts["E-mail"], facts["Phone"]) == (PARTY_VALUES["email"], PARTY_VALUES["phone"])
    assert (facts["Bank name"], facts["BIC"], facts["Account number"]) == (
        PARTY_VALUES["bank_name"], PARTY_VALUES["bank_bic"], PARTY_VALUES["bank_account"])
    assert facts["Invoice delivery channel"] == "By e-mail"
    assert facts["E-mail for invoices"] == PARTY_VALUES["invoice_email"]
    assert [h.text for h in page.html.select("h2")][:4] == ["Company", "Billing", "Contact", "Invoice delivery"]


def test_an_empty_invoice_email_says_where_invoices_go(browser, dbsession, setup):
    setup["party"].invoice_email = None
    dbsession.flush()
    facts = shown(browser(setup["customer"]).get(url(setup["party"])))
    assert facts["E-mail for invoices"] == f"the company e-mail, {PARTY_VALUES['email']}"


def test_the_button_opens_the_change_form_filled_with_todays_values(browser, setup):
    b = browser(setup["customer"])
    page = b.get(url(setup["party"]))
    form = page.click(description="Request a change").forms["change-request"]
    for name, value in PARTY_VALUES.items():
        assert form[name].value == value, name


def test_the_party_home_has_an_account_info_tile(browser, setup):
    home = browser(setup["customer"]).get(f"/p/{setup['party'].id}/")
    links = {a.text: a["href"] for a in home.html.select("section.tiles a.tile")}
    assert links["Account info"] == f"http://localhost/p/{setup['party'].id}/account-info"


def test_requests_awaiting_approval_are_listed(browser, dbsession, setup):
    submitted = change_request(dbsession, setup["party"], setup["customer"], {"phone": "+7 495 111-22-33"})
    change_request(dbsession, setup["party"], setup["customer"], {"email": "draft@party.test"}, submit=False)
    page = browser(setup["customer"]).get(url(setup["party"]))
    items = [li.text.strip() for li in page.html.select("section.account-waiting li")]
    assert items == [f"Change request #{submitted.id}: Phone"]


@pytest.mark.parametrize("who", ["manager", "backoffice"])
def test_staff_who_see_the_party_read_it_without_the_customers_button(browser, setup, who):
    page = browser(setup[who]).get(url(setup["party"]))
    assert shown(page)["Account number"] == PARTY_VALUES["bank_account"]
    assert "Request a change" not in page.text


@pytest.mark.parametrize("who", ["outsider", "manager_other"])
def test_who_may_not_see_the_party_gets_404_and_nothing_of_it(browser, setup, who):
    b = browser(setup[who])
    for path in (url(setup["party"]), url(setup["party"]) + "/"):
        text = b.get(path, status=404).text
        for secret in ("Informed Co", *(PARTY_VALUES[k] for k in ("bank_account", "contact_person", "email"))):
            assert secret not in text


def test_a_visitor_is_sent_to_the_login(testapp, setup):
    assert "/login" in testapp.get(url(setup["party"]), status=303).location
