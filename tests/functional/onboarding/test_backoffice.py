"""The back office's ``/backoffice/registrations/``: requests waiting, each with the parties it names;
binding (a membership, audited, the person told by the channel they chose) and rejecting with a reason;
who may read, decide, or neither; bad decisions changing nothing."""
import pytest
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.notifications.models import NotificationPreference
from portal.onboarding.models import MembershipRequest
from portal.outbox.models import OutboxAttempt, OutboxMessage
from portal.outbox.services import enqueue
from portal.parties.licence import LIMIT_SETTING, seats_used
from portal.parties.models import Membership
from tests.conftest import csrf_token, login
from tests.factories import PartyFactory, customer, staff
from tests.factories.onboarding import registered


@pytest.fixture
def world(dbsession):
    yug = PartyFactory(name="Yug Vodokanal", tax_id="2310000005", external_id="DEMO-YUG")
    other = PartyFactory(name="Elsewhere Ltd", tax_id="7700000999", external_id="ELSE-1")
    return {
        "yug": yug, "other": other,
        "waiting": registered(dbsession, company="Yug Vodokanal", tax_id="2310000005", last_name="Morozova",
                              first_name="Anna", email="anna@yug.test"),
        "unconfirmed": registered(dbsession, company="Half Done", tax_id="1", completed=False, state="unconfirmed",
                                  last_name="Halfway", email="half@way.test"),
        "clerk": staff("backoffice", last_name="Clerk"), "head": staff("head"), "admin": staff("admin"),
        "customer": customer(other, last_name="Outsider"),
    }


def page_of(world, key="waiting"):
    return f"/backoffice/registrations/{world[key].id}/"


def test_the_list_shows_what_waits_and_the_page_names_the_party(testapp, world):
    login(testapp, world["clerk"].login)
    listed = testapp.get("/backoffice/registrations/")
    assert "Morozova Anna" in listed.text and "Halfway" not in listed.text  # unconfirmed ones are not yet waiting
    assert "Halfway" in testapp.get("/backoffice/registrations/", {"state": "unconfirmed"}).text
    assert "Morozova" not in testapp.get("/backoffice/registrations/", {"q": "nothing-like-it"}).text
    assert "Morozova" in testapp.get("/backoffice/registrations/", {"q": "2310000005"}).text
    export = testapp.get("/backoffice/registrations/export.xlsx")
    assert export.content_type.endswith("spreadsheetml.sheet")
    page = testapp.get(page_of(world))
    [suggested] = page.html.select("#suggestions tbody tr")
    assert "Yug Vodokanal" in suggested.text and "named in the request" in suggested.text
    found = testapp.get(page_of(world), {"q": "elsewhere"})
    assert "Elsewhere Ltd" in found.html.select_one("#suggestions").text
    assert 'href="http://localhost/backoffice/registrations/"' in testapp.get("/account/").text  # the header


def test_binding_makes_a_membership_audits_and_tells_the_person(testapp, app, dbsession, world):
    login(testapp, world["clerk"].login)
    page = testapp.get(page_of(world))
    form = next(f for f in page.forms.values() if f.action.endswith("/bind") and f.get("party").value == str(world["yug"].id))
    answer = form.submit("submit")
    assert answer.location.endswith("/backoffice/registrations/")
    assert "Morozova Anna now acts for Yug Vodokanal." in answer.follow().text
    request = dbsession.get(MembershipRequest, world["waiting"].id)
    assert (request.state, request.party_id, request.decided_by_id) == ("bound", world["yug"].id, world["clerk"].id)
    person = request.user
    assert dbsession.scalars(select(Membership.state).where(Membership.user_id == person.id,
                                                           Membership.party_id == world["yug"].id)).one() == "active"
    actions = set(dbsession.scalars(select(AuditEntry.action).where(AuditEntry.target == f"user:{person.id}")))
    assert {"registration.bind", "membership.add"} <= actions
    [mail] = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == person.id)).all()
    assert (mail.channel, mail.topic, mail.party_id) == ("email", "registration.bind", world["yug"].id)
    assert mail.subject == "You now act for Yug Vodokanal in the customer portal"
    assert f"http://localhost:6543/p/{world['yug'].id}/" in mail.body
    # Decided: no second decision.
    again = testapp.post(f"{page_of(world)}bind", {"csrf_token": csrf_token(testapp), "party": str(world["other"].id)},
                         status=400)
    assert "This request has already been decided, by" in again.text
    assert dbsession.scalar(select(func.count()).select_from(Membership).where(Membership.user_id == person.id)) == 1


def test_the_person_hears_by_sms_when_they_chose_it(testapp, dbsession, world):
    person = world["waiting"].user
    dbsession.add(NotificationPreference(user_id=person.id, kind="account", channel="sms"))
    login(testapp, world["clerk"].login)
    testapp.post(f"{page_of(world)}bind", {"csrf_token": csrf_token(testapp), "party": "DEMO-YUG"})
    [sms] = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == person.id)).all()
    assert (sms.channel, sms.recipient) == ("sms", "+79120000001")
    assert sms.body.startswith("You now act for Yug Vodokanal in the customer portal. Log in: http://")


def test_rejecting_needs_a_reason_which_the_person_reads(testapp, dbsession, world):
    login(testapp, world["clerk"].login)
    page = testapp.get(page_of(world))
    form = page.forms["reject"]
    form["reason"] = "   "
    assert form.submit("submit", status=400).html.select_one(".item-reason .invalid-feedback")
    assert dbsession.get(MembershipRequest, world["waiting"].id).state == "requested"
    form["reason"] = "Nobody of that name works for Yug Vodokanal."
    assert "The request of Morozova Anna is rejected." in form.submit("submit").follow().text
    request = dbsession.get(MembershipRequest, world["waiting"].id)
    assert (request.state, request.reason) == ("rejected", "Nobody of that name works for Yug Vodokanal.")
    [mail] = dbsession.scalars(select(OutboxMessage).where(OutboxMessage.user_id == request.user_id)).all()
    assert mail.subject == "Your request to act for Yug Vodokanal was not accepted"
    assert "Reason:\nNobody of that name works for Yug Vodokanal." in mail.body
    assert dbsession.scalar(select(func.count()).select_from(Membership).where(
        Membership.user_id == request.user_id)) == 0
    assert dbsession.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "registration.reject")) == 1


def test_a_party_that_is_not_there_is_refused(testapp, dbsession, world):
    login(testapp, world["clerk"].login)
    form = testapp.get(page_of(world)).forms["bind"]
    form["party"] = "NO-SUCH-PARTY"
    answer = form.submit("submit", status=400)
    assert "There is no party “NO-SUCH-PARTY”." in answer.html.select_one(".item-party .invalid-feedback").text
    assert dbsession.get(MembershipRequest, world["waiting"].id).state == "requested"


def test_a_full_licence_refuses_the_binding_and_changes_nothing(testapp, app, dbsession, world, monkeypatch):
    monkeypatch.setitem(app.registry, LIMIT_SETTING, seats_used(dbsession))
    login(testapp, world["clerk"].login)
    answer = testapp.post(f"{page_of(world)}bind", {"csrf_token": csrf_token(testapp), "party": "DEMO-YUG"},
                          status=400)
    assert "seats are taken" in answer.text
    dbsession.expire_all()
    assert dbsession.get(MembershipRequest, world["waiting"].id).state == "requested"
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_the_head_reads_but_does_not_decide(testapp, dbsession, world):
    login(testapp, world["head"].login)
    page = testapp.get(page_of(world))
    assert "bind" not in page.forms and "reject" not in page.forms
    testapp.post(f"{page_of(world)}reject", {"csrf_token": csrf_token(testapp), "reason": "x"}, status=403)
    assert dbsession.get(MembershipRequest, world["waiting"].id).state == "requested"


@pytest.mark.parametrize("who", ["customer", "service"])
def test_customers_and_other_staff_reach_none_of_it(testapp, dbsession, world, who):
    user = world["customer"] if who == "customer" else staff("service")
    login(testapp, user.login)
    for url in ("/backoffice/registrations/", "/backoffice/registrations/export.xlsx", page_of(world),
                "/backoffice/registrations/letter"):
        response = testapp.get(url, status="*")
        assert response.status_int in (403, 404), url
        assert "Morozova" not in response.text
    token = csrf_token(testapp)
    for action, values in (("bind", {"party": "DEMO-YUG"}), ("reject", {"reason": "no"})):
        assert testapp.post(f"{page_of(world)}{action}", dict(values, csrf_token=token),
                            status="*").status_int in (403, 404)
    assert dbsession.get(MembershipRequest, world["waiting"].id).state == "requested"
    assert "Registrations" not in testapp.get("/account/").text


def test_anonymous_visitors_are_sent_to_log_in(testapp, world):
    response = testapp.get(page_of(world), status=303)
    assert "/login" in response.location


def test_the_page_shows_the_notifications_sent_to_the_person_with_their_attempts(testapp, dbsession, world):
    person = world["waiting"].user
    row = enqueue(dbsession, recipient=person.email, subject="Confirm your e-mail address", body="b", user_id=person.id)
    dbsession.flush()
    dbsession.add(OutboxAttempt(message_id=row.id, outcome="retry", error="SMTPServerDisconnected: gone"))
    login(testapp, world["clerk"].login)
    history = testapp.get(page_of(world)).html.select_one("#notifications")
    assert "Confirm your e-mail address" in history.text
    assert "Failed, to be tried again (SMTPServerDisconnected: gone)" in " ".join(history.text.split())


def test_an_unknown_request_is_not_found(testapp, world):
    login(testapp, world["clerk"].login)
    testapp.get("/backoffice/registrations/99999999/", status=404)
    testapp.get("/backoffice/registrations/abc/", status=404)
