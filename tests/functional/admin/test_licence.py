"""The licence limit (``portal.max_customer_users``): admins see the seats taken and allowed; creating or
activating a customer user past the limit is refused with a clear message and changes nothing, on every
way there (a new user with a party, a party added, a membership resumed, a user unblocked, a customer's
staff roles taken away); what takes no seat (staff, blocked users, suspended access) is never refused."""
import pytest
from pyramid.exceptions import ConfigurationError
from sqlalchemy import delete, select

from portal.identity.models import User, UserRole
from portal.parties import licence
from portal.parties.licence import LIMIT_SETTING, claim_seat, parse_limit, seats_used
from portal.parties.models import CustomerLicence, Membership
from tests.conftest import login
from tests.factories import MembershipFactory, PartyFactory, UserFactory, customer, staff


@pytest.fixture
def admin_app(testapp):
    login(testapp, staff("admin", login="licence-admin").login)
    return testapp


@pytest.fixture
def full(app, dbsession, monkeypatch):
    """A licence whose every seat is taken (the last by a customer of ``full.party``)."""
    party = PartyFactory(name="Licensed Co", external_id="LIC-1")
    customer(party, login="last-seat")
    dbsession.flush()
    monkeypatch.setitem(app.registry, LIMIT_SETTING, seats_used(dbsession))
    return party


def refused(response, limit):
    assert response.status_int == 400, response.status
    assert f"The licence allows {limit} customer users, and all {limit} seats are taken." in response.text


def test_the_user_list_shows_the_seats_taken_and_allowed(admin_app, app, dbsession, monkeypatch):
    customer(), customer()
    staff("service")
    UserFactory(state="blocked")
    blocked = customer()
    blocked.state = "blocked"
    suspended = UserFactory()
    MembershipFactory(user=suspended, state="suspended")
    dbsession.flush()
    used = seats_used(dbsession)
    monkeypatch.setitem(app.registry, LIMIT_SETTING, used + 3)
    assert admin_app.get("/admin/users/").html.select_one("#licence").text.split() == (
        f"Customer users: {used} of {used + 3} allowed by the licence.".split())
    monkeypatch.setitem(app.registry, LIMIT_SETTING, None)
    assert f"Customer users: {used}; the licence allows any number." in " ".join(
        admin_app.get("/admin/users/").html.select_one("#licence").text.split())


def test_the_user_list_counts_the_seats_only_so_far(admin_app, app, dbsession, monkeypatch):
    """Past ``SHOWN_SEATS`` (or the limit, when higher) the list says "more than": it does not count
    every user of the portal on each page."""
    customer(), customer()
    dbsession.flush()
    used = seats_used(dbsession)
    monkeypatch.setattr(licence, "SHOWN_SEATS", used - 1)

    def shown():
        return " ".join(admin_app.get("/admin/users/").html.select_one("#licence").text.split())

    monkeypatch.setitem(app.registry, LIMIT_SETTING, None)
    assert shown() == f"Customer users: more than {used - 1}; the licence allows any number."
    monkeypatch.setitem(app.registry, LIMIT_SETTING, used - 2)
    assert shown() == f"Customer users: more than {used - 1}, of {used - 2} allowed by the licence."
    monkeypatch.setitem(app.registry, LIMIT_SETTING, used)  # a limit above what is shown counts to it
    assert shown() == f"Customer users: {used} of {used} allowed by the licence."
    assert seats_used(dbsession, upto=1) == 2 and seats_used(dbsession) == used
    # The counts are the statements built once: a page makes none of them again.
    monkeypatch.setattr(licence, "customer_users", lambda: pytest.fail("the seats' statement was built again"))
    assert shown() == f"Customer users: {used} of {used} allowed by the licence."
    assert seats_used(dbsession, upto=1) == 2 and seats_used(dbsession) == used


def test_who_holds_a_seat(dbsession):
    before = seats_used(dbsession)
    customer()
    holding = UserFactory()
    MembershipFactory(user=holding)
    MembershipFactory(user=holding)  # two parties, one seat
    staff("backoffice", login="staff-member")
    staffed = staff("manager")
    MembershipFactory(user=staffed)  # staff with a membership: no seat
    MembershipFactory(user=UserFactory(), state="requested")
    MembershipFactory(user=UserFactory(), state="revoked")
    MembershipFactory(user=UserFactory(state="blocked"))
    MembershipFactory(user=UserFactory(), party=PartyFactory(state="blocked"))  # keeps its seat
    dbsession.flush()
    assert seats_used(dbsession) == before + 3


def test_a_new_customer_user_past_the_limit_is_refused(admin_app, dbsession, full):
    form = admin_app.get("/admin/users/new").forms["new-user"]
    form["login"] = "one-too-many"
    form["last_name"] = "Many"
    form["party"] = "LIC-1"
    response = form.submit("submit", status=400)
    refused(response, seats_used(dbsession))
    dbsession.flush()
    assert dbsession.scalars(select(User).where(User.login == "one-too-many")).all() == []
    # Without a party it holds no seat yet; staff never do.
    form["party"] = ""
    form.submit("submit", status=303)
    form = admin_app.get("/admin/users/new").forms["new-user"]
    form["login"] = "new-staff"
    form["last_name"] = "Staff"
    form["party"] = "LIC-1"
    form.set("checkbox", True, index=1)
    form.submit("submit", status=303)


def test_a_membership_past_the_limit_is_refused_however_it_is_made_active(admin_app, dbsession, full):
    limit = seats_used(dbsession)
    waiting = UserFactory(login="waiting")
    form = admin_app.get(f"/admin/users/{waiting.id}/").forms["add-party"]
    form["party"] = "LIC-1"
    refused(form.submit("submit", status=400), limit)
    assert dbsession.scalars(select(Membership).where(Membership.user_id == waiting.id)).all() == []
    paused = UserFactory(login="paused")
    membership = MembershipFactory(user=paused, party=full, state="suspended")
    page = admin_app.get(f"/admin/users/{paused.id}/")
    restore = next(f for f in page.forms.values() if f.action.endswith("/restore-party"))
    refused(restore.submit(status=400), limit)
    dbsession.expire_all()
    assert dbsession.get(Membership, membership.id).state == "suspended"


def test_unblocking_and_taking_staff_roles_away_past_the_limit_are_refused(admin_app, dbsession, full):
    limit = seats_used(dbsession)
    blocked = customer(full, login="was-blocked")
    blocked.state = "blocked"
    dbsession.flush()
    page = admin_app.get(f"/admin/users/{blocked.id}/")
    refused(page.forms["user-state"].submit(status=400), limit)
    dbsession.expire_all()
    assert dbsession.get(User, blocked.id).state == "blocked"
    clerk = staff("backoffice", login="former-clerk")
    MembershipFactory(user=clerk, party=full)
    form = admin_app.get(f"/admin/users/{clerk.id}/").forms["user-roles"]
    form.set("checkbox", False, index=0)
    refused(form.submit("submit", status=400), limit)
    dbsession.expire_all()
    assert dbsession.scalars(select(UserRole.role).where(UserRole.user_id == clerk.id)).all() == ["backoffice"]


def test_a_seat_holder_takes_no_second_seat_and_a_freed_seat_can_be_taken(admin_app, dbsession, full):
    limit = seats_used(dbsession)
    last = dbsession.scalars(select(User).where(User.login == "last-seat")).one()
    PartyFactory(external_id="LIC-2")
    # The one who holds a seat acts for one more party: still one seat.
    form = admin_app.get(f"/admin/users/{last.id}/").forms["add-party"]
    form["party"] = "LIC-2"
    form.submit("submit", status=303)
    # Ending both its accesses frees its seat for a newcomer.
    page = admin_app.get(f"/admin/users/{last.id}/")
    for _ in range(2):
        page = next(f for f in page.forms.values() if f.action.endswith("/revoke-party")).submit(status=303).follow()
    newcomer = UserFactory(login="newcomer")
    form = admin_app.get(f"/admin/users/{newcomer.id}/").forms["add-party"]
    form["party"] = "LIC-2"
    form.submit("submit", status=303)
    dbsession.flush()
    assert seats_used(dbsession) == limit
    assert [m.state for m in dbsession.scalars(select(Membership).where(Membership.user_id == newcomer.id))] == [
        "active"]


@pytest.mark.parametrize("raw, limit", [("3", 3), ("10", 10), (" 25 ", 25), ("unlimited", None), ("Unlimited", None)])
def test_the_setting_reads_the_plans(raw, limit):
    assert parse_limit({LIMIT_SETTING: raw}) == limit
    assert parse_limit({}) is None


@pytest.mark.parametrize("raw", ["0", "-3", "ten", "2.5", ""])
def test_a_bad_setting_stops_the_start(raw):
    with pytest.raises(ConfigurationError, match=LIMIT_SETTING):
        parse_limit({LIMIT_SETTING: raw})


def test_a_claim_on_a_database_without_the_licence_row_makes_it(dbsession):
    dbsession.execute(delete(CustomerLicence))
    claim_seat(dbsession, seats_used(dbsession) + 1, None)
    assert dbsession.get(CustomerLicence, 1).checked_at is not None
    claim_seat(dbsession, seats_used(dbsession) + 1, None)  # and the next one locks it
    assert dbsession.scalars(select(CustomerLicence.id)).all() == [1]
