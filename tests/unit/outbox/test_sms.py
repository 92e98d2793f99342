"""SMS through the outbox: the HTTP gateway made from the settings (its body escaped for its content type,
its answers sorted into sent, later and never), development's folder, and the delivery with its retries and
history, sending each row under one reference so a repeat is recognisable and nothing is lost."""
import json
import urllib.parse

import pytest
from sqlalchemy import select

from portal.outbox.models import OutboxAttempt, OutboxChannel, OutboxMessage, OutboxState
from portal.outbox.services import enqueue
from portal.outbox.sms import (
    FolderGateway,
    GatewayBusy,
    HttpGateway,
    Sms,
    SmsDelivery,
    SmsRefused,
    SmsSettingsError,
    gateway_from_settings,
)
from tests.functional.onboarding import conftest as worker  # its TestTransactionSession


class Recorder:
    """``post`` for the gateway: records each POST and answers with the next status (or raises it)."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.posts = []

    def __call__(self, url, body, headers, timeout):
        self.posts.append((url, body.decode(), headers))
        answer = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        if isinstance(answer, Exception):
            raise answer
        return answer


def test_the_body_is_escaped_for_its_content_type():
    text = 'Код "1" & <ok>\n'
    json_gateway = HttpGateway("https://sms.test/", post=Recorder(200), sender="Portal")
    sent = json.loads(json_gateway.body(_sms(text)))
    assert sent == {"to": "+79160000000", "text": text, "sender": "Portal", "reference": "portal-sms-1"}
    form = HttpGateway("https://sms.test/", body="phone=$to&msg=$text", content_type="application/x-www-form-urlencoded")
    assert urllib.parse.parse_qs(form.body(_sms(text)).decode()) == {"phone": ["+79160000000"], "msg": [text]}
    xml = HttpGateway("https://sms.test/", body="<sms to='$to'>$text</sms>", content_type="text/xml")
    assert xml.body(_sms(text)).decode() == "<sms to='+79160000000'>Код &quot;1&quot; &amp; &lt;ok&gt;\n</sms>"
    with pytest.raises(SmsSettingsError):
        HttpGateway("https://sms.test/", body='{"to": "$phone"}')


def _sms(text="hi"):
    return Sms("+79160000000", text, "portal-sms-1")


def test_answers_and_headers():
    recorder = Recorder(200, 503, 429, 400)
    gateway = HttpGateway("https://sms.test/send", post=recorder, username="u", password="p")
    gateway.send(_sms())
    with pytest.raises(GatewayBusy):
        gateway.send(_sms())
    with pytest.raises(GatewayBusy):
        gateway.send(_sms())
    with pytest.raises(SmsRefused):
        gateway.send(_sms())
    url, _body, headers = recorder.posts[0]
    assert url == "https://sms.test/send"
    assert headers["Authorization"] == "Basic dTpw" and headers["Idempotency-Key"] == "portal-sms-1"
    assert headers["Content-Type"] == "application/json; charset=utf-8"
    bearer = HttpGateway("https://sms.test/", token="t0ken", post=recorder)
    assert bearer.headers(_sms())["Authorization"] == "Bearer t0ken"


def test_the_settings_name_a_gateway_or_none(tmp_path):
    assert gateway_from_settings({}) is None
    assert isinstance(gateway_from_settings({"portal.sms.folder": str(tmp_path)}), FolderGateway)
    gateway = gateway_from_settings({"portal.sms.url": "https://sms.test/", "portal.sms.timeout": "3"})
    assert isinstance(gateway, HttpGateway) and gateway.timeout == 3.0
    for bad in ({"portal.sms.url": "ftp://sms.test/"}, {"portal.sms.url": "https://x/", "portal.sms.timeout": "x"},
                {"portal.sms.url": "https://x/", "portal.sms.body": "$nope"}):
        with pytest.raises(SmsSettingsError):
            gateway_from_settings(bad)


def test_the_folder_keeps_one_file_per_sms_however_often_it_goes(tmp_path):
    gateway = FolderGateway(str(tmp_path / "sms"))
    gateway.send(_sms("first"))
    gateway.send(_sms("first"))
    [file] = (tmp_path / "sms").iterdir()
    assert file.name == "portal-sms-1.txt" and file.read_text().endswith("\n\nfirst\n")


@pytest.fixture
def queued(dbsession):
    sms = enqueue(dbsession, recipient="+79160000000", subject="Code", body="Your code: 123456",
                  channel=OutboxChannel.sms)
    mail = enqueue(dbsession, recipient="a@b.test", subject="Mail", body="b")
    dbsession.flush()
    return sms, mail


def deliver(dbsession, gateway, clock=None):
    kw = {"clock": clock} if clock else {}
    return SmsDelivery(lambda: worker.TestTransactionSession(dbsession), gateway, max_attempts=3, **kw).deliver(10)


def test_a_gateway_that_is_down_loses_nothing_and_doubles_nothing(dbsession, queued):
    sms, mail = queued
    recorder = Recorder(OSError("connection refused"))
    gateway = HttpGateway("https://sms.test/", post=recorder)
    report = deliver(dbsession, gateway)
    assert (report.sent, report.retried, report.server_down) == (0, 1, True)
    dbsession.refresh(sms)
    assert (sms.state, sms.attempts, sms.last_error) == (OutboxState.pending, 1, "OSError: connection refused")
    assert deliver(dbsession, gateway).attempted == 0  # not due again yet
    recorder.answers = [200]
    report = deliver(dbsession, gateway, clock=lambda: sms.next_attempt_at)
    assert report.sent == 1
    dbsession.refresh(sms)
    assert sms.state == OutboxState.sent
    assert [p[1] for p in recorder.posts] == [recorder.posts[0][1]] * 2  # the same body, the same reference
    history = dbsession.scalars(select(OutboxAttempt.outcome).where(OutboxAttempt.message_id == sms.id)
                                .order_by(OutboxAttempt.id)).all()
    assert history == ["retry", "sent"]
    assert dbsession.get(OutboxMessage, mail.id).state == OutboxState.pending  # e-mail is not the SMS worker's


def test_a_refusal_fails_the_sms_for_good(dbsession, queued):
    sms, _mail = queued
    report = deliver(dbsession, HttpGateway("https://sms.test/", post=Recorder(400)))
    assert report.failed == 1
    dbsession.refresh(sms)
    assert (sms.state, sms.last_error) == (OutboxState.failed, "SmsRefused: HTTP 400")
    assert dbsession.scalars(select(OutboxAttempt.outcome)).all() == ["failed"]
