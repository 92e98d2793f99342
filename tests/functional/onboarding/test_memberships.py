"""``/account/memberships``: a registered customer's companies and requests, and asking for one more
(a holding's); staff have no such page; nobody sees another person's requests."""
from sqlalchemy import func, select

from portal.onboarding.models import MembershipRequest
from tests.conftest import csrf_token, login
from tests.factories import PartyFactory, customer, staff
from tests.factories.onboarding import registered


def ask(testapp, status="*", **values):
    form = testapp.get("/account/memberships").forms["membership-request"]
    for name, value in {"company_name": "Sever Energo", "tax_id": "", "customer_number": "DEMO-SEVER-ENERGO",
                        **values}.items():
        form[name] = value
    return form.submit("submit", status=status)


def test_a_customer_asks_to_act_for_one_more_company(testapp, dbsession):
    party = PartyFactory(name="Sever Trans")
    user = customer(party, login="trans-user")
    login(testapp, user.login)
    page = testapp.get("/account/memberships")
    assert "Sever Trans" in page.text and "You have made no request." in page.text
    answer = ask(testapp)
    assert "Your request is with the back office." in answer.follow().text
    [request] = dbsession.scalars(select(MembershipRequest).where(MembershipRequest.user_id == user.id)).all()
    assert (request.state, request.customer_number, request.tax_id) == ("requested", "DEMO-SEVER-ENERGO", None)
    rows = testapp.get("/account/memberships").html.select("#membership-requests tbody tr")
    assert len(rows) == 1 and "waiting for the back office" in rows[0].text
    again = ask(testapp, status=400)
    assert "A request of yours for this company is already waiting for the back office." in again.text
    assert ask(testapp, status=400, customer_number="").html.select_one(".item-tax_id .invalid-feedback")
    assert dbsession.scalar(select(func.count()).select_from(MembershipRequest)) == 1


def test_a_rejected_request_shows_its_reason_to_its_person_only(testapp, dbsession):
    request = registered(dbsession, company="Secret Holding", tax_id="9999", state="rejected", login="rejected-one")
    request.reason = "Not known at Secret Holding."
    login(testapp, "rejected-one")
    assert "Not known at Secret Holding." in testapp.get("/account/memberships").text
    testapp.reset()
    login(testapp, customer(PartyFactory()).login)
    page = testapp.get("/account/memberships")
    assert "Secret Holding" not in page.text and "Not known" not in page.text


def test_requests_per_user_are_limited(testapp, dbsession):
    login(testapp, customer(PartyFactory()).login)
    for n in range(10):
        assert ask(testapp, company_name=f"Company {n}", customer_number=f"N-{n}").status_int == 303
    answer = ask(testapp, status=400, company_name="One too many", customer_number="N-X")
    assert "You have asked for many companies today" in answer.text
    assert dbsession.scalar(select(func.count()).select_from(MembershipRequest)) == 10


def test_staff_have_no_such_page(testapp, dbsession):
    login(testapp, staff("backoffice").login)
    testapp.get("/account/memberships", status=404)
    testapp.post("/account/memberships", {"csrf_token": csrf_token(testapp), "company_name": "X",
                                          "customer_number": "Y"}, status=404)
    assert dbsession.scalar(select(func.count()).select_from(MembershipRequest)) == 0


def test_anonymous_visitors_are_sent_to_log_in(testapp):
    assert "/login" in testapp.get("/account/memberships", status=303).location


def test_a_blocked_company_is_not_listed_to_its_members(testapp, dbsession):
    blocked = PartyFactory(name="Blocked Teplo")
    user = customer(blocked, login="blocked-member")
    blocked.state = "blocked"
    dbsession.flush()
    login(testapp, user.login)
    page = testapp.get("/account/memberships")
    assert "Blocked Teplo" not in page.text and "No company yet" in page.text
