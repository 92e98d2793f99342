"""``portal-worker``: delivers the outbox through a real SMTP server, refuses bad settings in one line."""
import re

import pytest
from sqlalchemy import select

from portal.outbox.models import OutboxChannel, OutboxMessage, OutboxState
from portal.outbox.services import enqueue
from portal.scripts import worker
from tests.smtp_sink import SmtpSink
from tests.unit.scripts.test_scripts import db, ini  # noqa: F401 - the migrated SQLite database and its .ini


def with_mail(ini, port, sender="portal@portal.test"):
    text = ini.read_text()
    text = re.sub(r"^mail\.port = .*$", f"mail.port = {port}", text, flags=re.M)
    text = re.sub(r"^mail\.default_sender = .*$", f"mail.default_sender = {sender}", text, flags=re.M)
    text = re.sub(r"^portal\.mail\.folder = .*$", "", text, flags=re.M)  # the SMTP server, not the catcher
    ini.write_text(text)
    return ini


def test_development_writes_each_mail_into_the_folder_once(ini, tmp_path, capsys):
    """development.ini's catcher: .eml files named by Message-ID, so a second send keeps one file."""
    assert re.search(r"^portal\.mail\.folder = ", ini.read_text(), flags=re.M), "development.ini has a catcher"
    fill(tmp_path, 2)
    assert worker.main([str(ini), "--once"]) == 0
    assert "Sent 2, to retry 0, failed 0." in capsys.readouterr().out
    files = sorted((tmp_path / "var" / "mail").glob("*.eml"))
    assert [f.name for f in files] == ["portal-outbox-1@localhost.eml", "portal-outbox-2@localhost.eml"]
    text = files[0].read_bytes().decode()
    assert "To: user0@example.test" in text and "<portal-outbox-1@localhost>" in text
    assert states(tmp_path) == [OutboxState.sent] * 2


def fill(tmp_path, count):
    with db(tmp_path) as session, session.begin():
        for i in range(count):
            enqueue(session, recipient=f"user{i}@example.test", subject=f"Заявка {i}", body=f"Текст {i}\n",
                    topic="request.assign")


def states(tmp_path):
    with db(tmp_path) as session:
        return [r.state for r in session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))]


def test_once_delivers_everything_due_and_exits(ini, tmp_path, capsys):
    fill(tmp_path, 7)
    with SmtpSink() as sink:
        assert worker.main([str(with_mail(ini, sink.port)), "--once", "--batch", "3"]) == 0
    assert "Sent 7, to retry 0, failed 0." in capsys.readouterr().out
    assert states(tmp_path) == [OutboxState.sent] * 7
    mailbox = sink.mailbox()
    assert len(sink.accepted) == len(mailbox) == 7
    assert set(mailbox) == {f"<portal-outbox-{i}@portal.test>" for i in range(1, 8)}
    first = mailbox["<portal-outbox-1@portal.test>"]
    assert (first.recipients, first.subject, first.body.strip()) == (("user0@example.test",), "Заявка 0", "Текст 0")


def test_a_server_that_is_down_loses_nothing(ini, tmp_path, capsys):
    fill(tmp_path, 3)
    with SmtpSink() as sink:
        port = sink.port
    # Nobody listens on the port any more.
    assert worker.main([str(with_mail(ini, port)), "--once"]) == 0
    assert "Sent 0, to retry 1, failed 0." in capsys.readouterr().out
    assert states(tmp_path) == [OutboxState.pending] * 3


def test_a_server_that_refuses_for_good_marks_the_mail_failed(ini, tmp_path, capsys):
    fill(tmp_path, 2)
    with SmtpSink(reply="550 Mailbox unavailable") as sink:
        assert worker.main([str(with_mail(ini, sink.port)), "--once"]) == 0
    assert "Sent 0, to retry 0, failed 2." in capsys.readouterr().out
    assert states(tmp_path) == [OutboxState.failed] * 2


@pytest.mark.parametrize("sender, message", [
    ("", "Set mail.default_sender"),
    ("not-an-address", "Set mail.default_sender"),
])
def test_bad_settings_are_one_line_and_exit_2(ini, capsys, sender, message):
    text = re.sub(r"^mail\.default_sender = .*$", f"mail.default_sender = {sender}", ini.read_text(), flags=re.M)
    ini.write_text(text)
    assert worker.main([str(ini), "--once"]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_bad_arguments_exit_2(ini, capsys):
    assert worker.main([str(ini), "--batch", "0"]) == 2
    assert "--batch must be at least 1" in capsys.readouterr().err


def test_prune_outbox_forgets_old_sent_mail_only(ini, tmp_path, capsys):
    from datetime import timedelta

    from portal.db.meta import utcnow
    from portal.scripts import jobs

    fill(tmp_path, 4)
    with db(tmp_path) as session, session.begin():
        rows = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
        old = utcnow() - timedelta(days=100)
        rows[0].state, rows[0].sent_at = OutboxState.sent, old            # pruned
        rows[1].state, rows[1].sent_at = OutboxState.sent, utcnow()      # recent: kept
        rows[2].state, rows[2].sent_at = OutboxState.failed, None        # failed: kept
    assert jobs.main([str(ini), "prune-outbox"]) == 0
    assert "Deleted 1 e-mail sent more than 90 days ago." in capsys.readouterr().out
    assert states(tmp_path) == [OutboxState.sent, OutboxState.failed, OutboxState.pending]
    assert jobs.main([str(ini), "prune-outbox", "--days", "0"]) == 2
    assert "from 1 to" in capsys.readouterr().err
    assert len(states(tmp_path)) == 3


def test_development_writes_each_sms_into_its_folder_and_reports_it(ini, tmp_path, capsys):
    """development.ini's SMS catcher beside the mail one: one file per SMS, named by its reference."""
    assert re.search(r"^portal\.sms\.folder = ", ini.read_text(), flags=re.M), "development.ini has an SMS catcher"
    with db(tmp_path) as session, session.begin():
        enqueue(session, recipient="+79160000000", subject="Code", body="Your code: 123456", channel=OutboxChannel.sms)
    assert worker.main([str(ini), "--once"]) == 0
    assert "SMS: sent 1, to retry 0, failed 0." in capsys.readouterr().out
    [file] = (tmp_path / "var" / "sms").glob("*.txt")
    assert file.name == "portal-sms-1.txt" and "To: +79160000000" in file.read_text()
    assert not list((tmp_path / "var" / "mail").glob("*.eml"))  # an SMS is no e-mail
    assert states(tmp_path) == [OutboxState.sent]
