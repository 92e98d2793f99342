"""Many letters at once: ``enqueue_many`` writes the rows ``enqueue`` would (pending, due now, subject
and topic cut to their columns) in one statement without an ORM object each, and ``Letters.message``
says what ``deliver`` writes."""
from types import SimpleNamespace

from sqlalchemy import select

from portal.db.meta import utcnow
from portal.notifications.texts import Letter
from portal.outbox.letters import Letters
from portal.outbox.models import OutboxChannel, OutboxMessage
from portal.outbox.services import enqueue, enqueue_many
from tests.factories import UserFactory

COLUMNS = ("channel", "recipient", "subject", "body", "user_id", "party_id", "topic", "state", "attempts",
           "last_error", "sent_at")


def written(dbsession, topic):
    dbsession.flush()
    return dbsession.scalars(select(OutboxMessage).where(OutboxMessage.topic == topic).order_by(OutboxMessage.id)).all()


def test_the_rows_are_those_enqueue_writes_in_one_statement(dbsession):
    user = UserFactory(email="a@example.test", phone="+79160000001")
    dbsession.flush()
    messages = [
        {"recipient": "a@example.test", "subject": "S" * 300, "body": "Body", "user_id": user.id, "party_id": None,
         "topic": "t.many"},
        {"channel": OutboxChannel.sms, "recipient": "+79160000001", "subject": "Short", "body": "SMS text",
         "user_id": user.id, "party_id": None, "topic": "t.many"},
    ]
    before = utcnow()
    assert enqueue_many(dbsession, messages) == 2
    assert not [held for held in dbsession.new if isinstance(held, OutboxMessage)]  # no ORM objects
    for message in messages:
        enqueue(dbsession, **dict(message, topic="t.one"))
    many, one = written(dbsession, "t.many"), written(dbsession, "t.one")
    assert [[getattr(row, name) for name in COLUMNS if name != "topic"] for row in many] == [
        [getattr(row, name) for name in COLUMNS if name != "topic"] for row in one]
    assert [(row.channel, row.state, row.attempts, len(row.subject)) for row in many] == [
        ("email", "pending", 0, 255), ("sms", "pending", 0, 5)]
    assert all(row.created_at >= before and row.next_attempt_at >= before for row in many)
    assert enqueue_many(dbsession, []) == 0


def test_a_message_is_what_deliver_writes_by_either_channel(dbsession):
    user = UserFactory(email="b@example.test", phone="+79160000002")
    dbsession.flush()
    letter = Letter(subject="New\ninvoice", body="Hello.\n", sms="New invoice 7")
    for channel in (OutboxChannel.email, OutboxChannel.sms):
        Letters.deliver(dbsession, user, channel, letter, party_id=None, topic="t.deliver")
    Letters.deliver_all(dbsession, [Letters.message(user, channel, letter, party_id=None, topic="t.all")
                                    for channel in (OutboxChannel.email, OutboxChannel.sms)])
    delivered, all_at_once = written(dbsession, "t.deliver"), written(dbsession, "t.all")
    assert [(r.channel, r.recipient, r.subject, r.body) for r in all_at_once] == [
        (r.channel, r.recipient, r.subject, r.body) for r in delivered] == [
        ("email", "b@example.test", "New invoice", "Hello.\n"), ("sms", "+79160000002", "New invoice", "New invoice 7")]
    assert Letters.message(SimpleNamespace(id=1, email="c@x", phone=None), OutboxChannel.email, letter,
                           party_id=5, topic="t")["party_id"] == 5
