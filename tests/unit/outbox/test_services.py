"""The outbox's delivery: each row sent and marked in its own transaction, failures retried or given up."""
import smtplib
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyramid_mailer.mailer import DummyMailer
from sqlalchemy import delete, select
from sqlalchemy.orm import sessionmaker

from portal.db.meta import utcnow
from portal.outbox.models import OutboxMessage, OutboxState
from portal.outbox.queue import LAST_RETRY, retry_delay
from portal.outbox.services import (
    OutboxDelivery,
    counts_by_state,
    enqueue,
    is_permanent,
    message_id,
    retry_failed,
)


@pytest.fixture
def factory(migrated_engine):
    """Sessions that commit for real (the delivery commits per message); the outbox emptied afterwards."""
    make = sessionmaker(bind=migrated_engine, expire_on_commit=False)
    yield make
    with make() as session, session.begin():
        session.execute(delete(OutboxMessage))


def add(factory, count=1, **kw):
    with factory() as session, session.begin():
        rows = [enqueue(session, recipient=f"user{i}@example.test", subject=f"Subject {i}",
                        body=f"Body {i}", topic="request.assign", **kw) for i in range(count)]
        session.flush()
        return [row.id for row in rows]


def rows(factory):
    with factory() as session:
        return {r.id: r for r in session.scalars(select(OutboxMessage))}


class FailingMailer:
    """A mailer whose server answers every message with ``exc``."""

    def __init__(self, exc):
        self.exc = exc
        self.calls = 0

    def send_immediately(self, message, fail_silently=False):
        self.calls += 1
        raise self.exc


def delivery(factory, mailer, **kw):
    return OutboxDelivery(factory, mailer, sender="portal@example.test", domain="example.test", **kw)


def test_sends_each_due_message_once_with_a_stable_message_id(factory):
    ids = add(factory, 3)
    mailer = DummyMailer()
    report = delivery(factory, mailer).deliver(10)
    assert (report.sent, report.retried, report.failed) == (3, 0, 0)
    assert [m.extra_headers["Message-ID"] for m in mailer.outbox] == [f"<portal-outbox-{i}@example.test>" for i in ids]
    assert [m.recipients for m in mailer.outbox] == [["user0@example.test"], ["user1@example.test"], ["user2@example.test"]]
    stored = rows(factory)
    assert {r.state for r in stored.values()} == {OutboxState.sent}
    assert all(r.sent_at is not None and r.attempts == 1 for r in stored.values())
    # A second round finds nothing to do.
    assert delivery(factory, mailer).deliver(10).attempted == 0
    assert len(mailer.outbox) == 3


def test_the_limit_bounds_a_round_and_later_rows_wait(factory):
    add(factory, 5)
    mailer = DummyMailer()
    assert delivery(factory, mailer).deliver(2).sent == 2
    assert counts_by_state(factory())["pending"] == 3


def test_a_message_not_yet_due_is_left_alone(factory):
    [row_id] = add(factory, 1)
    with factory() as session, session.begin():
        session.get(OutboxMessage, row_id).next_attempt_at = utcnow() + timedelta(minutes=5)
    assert delivery(factory, DummyMailer()).deliver(10).attempted == 0


def test_a_server_that_is_down_leaves_the_message_pending_with_a_later_attempt(factory):
    add(factory, 3)
    mailer = FailingMailer(ConnectionRefusedError(111, "Connection refused"))
    before = utcnow()
    report = delivery(factory, mailer).deliver(10)
    # The server is down: one attempt, not three, then the round stops.
    assert (report.retried, report.server_down, mailer.calls) == (1, True, 1)
    first = min(rows(factory).values(), key=lambda r: r.id)
    assert first.state == OutboxState.pending and first.attempts == 1
    assert first.next_attempt_at >= before + timedelta(minutes=1)
    assert "Connection refused" in first.last_error


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails_at_once(factory):
    add(factory, 1)
    report = delivery(factory, FailingMailer(smtplib.SMTPDataError(451, b"try later"))).deliver(1)
    assert report.retried == 1
    assert next(iter(rows(factory).values())).state == OutboxState.pending
    with factory() as session, session.begin():
        session.scalars(select(OutboxMessage)).one().next_attempt_at = utcnow()
    refused = smtplib.SMTPRecipientsRefused({"user0@example.test": (550, b"no such user")})
    report = delivery(factory, FailingMailer(refused)).deliver(1)
    assert report.failed == 1
    row = next(iter(rows(factory).values()))
    assert (row.state, row.attempts) == (OutboxState.failed, 2)
    assert "no such user" in row.last_error


def test_gives_up_after_the_last_attempt(factory):
    add(factory, 1)
    mailer = FailingMailer(smtplib.SMTPDataError(451, b"busy"))
    for attempt in range(1, 4):
        with factory() as session, session.begin():
            session.scalars(select(OutboxMessage)).one().next_attempt_at = utcnow()
        delivery(factory, mailer, max_attempts=3).deliver(1)
    row = next(iter(rows(factory).values()))
    assert (row.state, row.attempts, mailer.calls) == (OutboxState.failed, 3, 3)


def test_retry_failed_puts_them_back_in_the_queue(factory):
    ids = add(factory, 3)
    with factory() as session, session.begin():
        for row in session.scalars(select(OutboxMessage)):
            row.state, row.attempts = OutboxState.failed, 8
    with factory() as session, session.begin():
        assert retry_failed(session, [ids[0]]) == 1
    with factory() as session, session.begin():
        assert retry_failed(session) == 2
        assert retry_failed(session) == 0
    assert {(r.state, r.attempts) for r in rows(factory).values()} == {(OutboxState.pending, 0)}
    assert delivery(factory, DummyMailer()).deliver(10).sent == 3


def test_a_rolled_back_change_leaves_no_e_mail(factory):
    with pytest.raises(RuntimeError), factory() as session, session.begin():
        enqueue(session, recipient="a@example.test", subject="s", body="b")
        session.flush()
        raise RuntimeError("the change failed")
    assert rows(factory) == {}


@pytest.mark.parametrize("exc, permanent", [
    (smtplib.SMTPDataError(554, b"rejected"), True),
    (smtplib.SMTPDataError(421, b"closing"), False),
    (smtplib.SMTPRecipientsRefused({"a@x": (550, b"no"), "b@x": (450, b"later")}), False),
    (smtplib.SMTPServerDisconnected("gone"), False),
    (TimeoutError(), False),
])
def test_only_5xx_answers_are_permanent(exc, permanent):
    assert is_permanent(exc) is permanent


@given(st.integers(min_value=1, max_value=10_000))
def test_retry_delays_grow_and_stay_bounded(attempts):
    delay = retry_delay(attempts)
    assert timedelta(minutes=1) <= delay <= LAST_RETRY
    assert retry_delay(attempts + 1) >= delay


def test_message_id_names_the_row_and_the_domain():
    row = OutboxMessage(id=42)
    assert message_id(row, "portal.example") == "<portal-outbox-42@portal.example>"
