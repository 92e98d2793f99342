"""The admin's outbox with SMS: filtered by channel and by user, each row's page with its delivery history
(never its text); what customers and other staff get there."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from portal.db.meta import utcnow
from portal.outbox.models import OutboxAttempt, OutboxChannel, OutboxMessage
from portal.outbox.services import enqueue, prune_sent
from tests.conftest import login
from tests.factories import PartyFactory, customer, staff


@pytest.fixture
def rows(dbsession):
    person = customer(PartyFactory(), last_name="Receiver")
    mail = enqueue(dbsession, recipient="receiver@example.test", subject="Mail subject", body="SECRET-LINK-TEXT",
                   user_id=person.id)
    sms = enqueue(dbsession, recipient="+79161234567", subject="Phone confirmation code", body="SECRET-CODE 123456",
                  user_id=person.id, channel=OutboxChannel.sms)
    other = enqueue(dbsession, recipient="other@example.test", subject="Someone else's", body="b")
    dbsession.flush()
    dbsession.add_all([OutboxAttempt(message_id=sms.id, outcome="retry", error="GatewayBusy: HTTP 503"),
                       OutboxAttempt(message_id=sms.id, outcome="sent")])
    sms.state, sms.attempts = "sent", 2
    dbsession.flush()
    return {"person": person, "mail": mail, "sms": sms, "other": other}


def test_the_outbox_filters_by_channel_and_user_and_shows_each_rows_history(testapp, rows):
    login(testapp, staff("admin").login)
    assert "+79161234567" in testapp.get("/admin/outbox/").text
    sms_only = testapp.get("/admin/outbox/", {"channel": "sms"}).text
    assert "+79161234567" in sms_only and "receiver@example.test" not in sms_only
    link = testapp.get(f"/admin/users/{rows['person'].id}/").html.select_one("#user-outbox")["href"]
    mine = testapp.get(link).text
    assert "receiver@example.test" in mine and "other@example.test" not in mine and "Receiver" in mine
    page = testapp.get(f"/admin/outbox/{rows['sms'].id}/")
    history = " ".join(page.html.select_one("table.list").text.split())
    assert "Failed, to be tried again GatewayBusy: HTTP 503" in history and "Sent" in history
    assert "SECRET-CODE" not in page.text  # what only its recipient may read stays unshown
    assert "Not tried yet" in testapp.get(f"/admin/outbox/{rows['mail'].id}/").text
    export = testapp.get("/admin/outbox/export.xlsx", {"channel": "sms"})
    assert export.content_type.endswith("spreadsheetml.sheet")
    testapp.get("/admin/outbox/99999999/", status=404)


@pytest.mark.parametrize("who", ["customer", "backoffice"])
def test_nobody_but_admins_reaches_a_row(testapp, rows, who):
    user = rows["person"] if who == "customer" else staff("backoffice")
    login(testapp, user.login)
    response = testapp.get(f"/admin/outbox/{rows['sms'].id}/", status="*")
    assert response.status_int in (403, 404) and "+79161234567" not in response.text


def test_deleting_a_sent_row_deletes_its_history(dbsession, rows):
    rows["sms"].sent_at = utcnow() - timedelta(days=100)
    dbsession.flush()
    assert prune_sent(dbsession, 90) == 1
    dbsession.expire_all()
    assert dbsession.scalars(select(OutboxAttempt)).all() == []
    assert dbsession.get(OutboxMessage, rows["mail"].id) is not None
