"""Invitations through HTTP: staff send one from the user page, it goes through an SMTP server, the
person follows its link once and chooses the password; who may send one; what cannot be sent."""
from sqlalchemy import func, select

from portal.audit.models import AuditEntry
from portal.identity.models import User
from portal.outbox.models import OutboxMessage
from tests.conftest import csrf_token, login
from tests.factories import PartyFactory, customer, staff

from .conftest import link_in

CHOSEN = "Chosen-secret-31"


def invited_user(**kw):
    """A user staff made for a party, without a password yet."""
    return customer(PartyFactory(name="Invited Co"), password_hash=None, first_name="Ivan", **kw)


def send_invitation(testapp, user):
    login(testapp, staff("admin", last_name="Inviter", first_name="Anna").login)
    done = testapp.get(f"/admin/users/{user.id}/").forms["user-invite"].submit(status=303).follow()
    testapp.reset()
    return done


def test_the_invited_person_follows_the_link_and_chooses_the_password(testapp, dbsession, deliver):
    user = invited_user(email="ivan@invited.test")
    done = send_invitation(testapp, user)
    assert "The invitation is on its way to ivan@invited.test; its link works for 7 days." in done.text
    [mail] = deliver()
    assert mail.recipients == ("ivan@invited.test",) and mail.subject == "Your login to the customer portal"
    assert "Hello, Ivan." in mail.body and "Inviter Anna has made you a login" in mail.body
    assert f"“{user.login}”" in mail.body and "7 days" in mail.body
    path = link_in(mail)
    assert path.startswith("/invite/")
    page = testapp.get(path)
    assert "Welcome" in page.text and user.login in page.text
    form = page.forms["accept-invitation"]
    form["new_password"] = form["confirmation"] = CHOSEN
    landed = form.submit("submit", status=303).follow()
    assert "Welcome! Your password is set: log in with your login" in landed.text
    assert login(testapp, user.login, CHOSEN).location.endswith(f"/p/{user.memberships[0].party_id}")
    testapp.reset()
    assert "This link no longer works" in testapp.get(path, status=404).text
    actions = dict(dbsession.execute(select(AuditEntry.action, AuditEntry.target)
                                     .where(AuditEntry.action.like("invitation.%"))).all())
    assert actions == {"invitation.send": f"user:{user.id}", "invitation.accept": f"user:{user.id}"}


def test_a_second_invitation_kills_the_first_link(testapp, deliver):
    user = invited_user(email="twice@invited.test")
    send_invitation(testapp, user)
    send_invitation(testapp, user)
    first, second = (link_in(m) for m in deliver())
    assert "This link no longer works" in testapp.get(first, status=404).text
    assert testapp.get(second).status_int == 200


def test_no_invitation_without_an_address_or_to_a_blocked_user(testapp, dbsession):
    nobody = invited_user(email=None)
    login(testapp, staff("admin").login)
    assert "user-invite" not in testapp.get(f"/admin/users/{nobody.id}/").forms
    token = csrf_token(testapp)
    refused = testapp.post(f"/admin/users/{nobody.id}/invite", {"csrf_token": token}, status=303).follow()
    assert "The user has no e-mail address to send the invitation to." in refused.text
    blocked = invited_user(email="blocked@invited.test", state="blocked")
    refused = testapp.post(f"/admin/users/{blocked.id}/invite", {"csrf_token": token}, status=303).follow()
    assert "The user is blocked" in refused.text
    dbsession.flush()
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_customers_and_service_staff_cannot_send_invitations(testapp, dbsession):
    user = invited_user(email="target@invited.test")
    for who in (customer(user.memberships[0].party), customer(), staff("service")):
        testapp.reset()
        login(testapp, who.login)
        response = testapp.post(f"/admin/users/{user.id}/invite", {"csrf_token": csrf_token(testapp)}, status="*")
        assert response.status_int in (403, 404), who.login
    dbsession.flush()
    assert dbsession.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_an_invitation_link_does_not_reset_a_password_and_the_reverse(testapp, dbsession, deliver):
    user = invited_user(email="cross@invited.test")
    send_invitation(testapp, user)
    token = link_in(deliver()[0]).rsplit("/", 1)[1]
    assert "This link no longer works" in testapp.get(f"/password/reset/{token}", status=404).text
    assert testapp.get(f"/invite/{token}").status_int == 200


def test_a_link_of_a_user_blocked_since_is_refused(testapp, dbsession, deliver):
    user = invited_user(email="later@invited.test")
    send_invitation(testapp, user)
    path = link_in(deliver()[0])
    dbsession.get(User, user.id).state = "blocked"
    dbsession.flush()
    assert "This link no longer works" in testapp.get(path, status=404).text

