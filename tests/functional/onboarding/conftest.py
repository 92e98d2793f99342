"""Mail as portal-worker delivers it: the test's outbox sent through a local SMTP server, and the
links in what it received, as paths to follow with WebTest."""
import re

import pytest
from pyramid_mailer.mailer import Mailer

from portal.outbox.services import OutboxDelivery
from tests.smtp_sink import SmtpSink

LINK = re.compile(r"http://localhost:6543(/\S+)")


class TestTransactionSession:
    """The test's session for the worker: each of its transactions a savepoint of the test's
    (which is rolled back at the end), so the worker sees what the requests wrote."""

    def __init__(self, session):
        self.session = session

    def begin(self):
        return self.session.begin_nested()

    def close(self):
        pass

    def __getattr__(self, name):
        return getattr(self.session, name)


@pytest.fixture
def deliver(dbsession):
    """``deliver()``: send every due outbox row through an SMTP server; the messages it accepted."""

    def run():
        dbsession.flush()
        with SmtpSink() as sink:
            delivery = OutboxDelivery(lambda: TestTransactionSession(dbsession),
                                      Mailer(host="127.0.0.1", port=sink.port),
                                      sender="portal@portal.test", domain="portal.test")
            report = delivery.deliver(100)
        assert not report.errors, report.errors
        return sink.accepted

    return run


def link_in(message) -> str:
    """The one portal link of an e-mail, as a path."""
    [path] = LINK.findall(message.body)
    return path

