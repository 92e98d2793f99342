"""The outbox worker killed (SIGKILL) in the middle of delivery batches, then restarted: nothing is lost,
and every notification reaches the mailbox exactly once.

The SMTP hop itself is at least once: a kill after the server accepted a message but before the worker
committed "sent" makes the next worker send that message again, with the same Message-ID, which a mail
store keeps once. So the test holds the worker to: every row sent; the mailbox (one entry per
Message-ID) holds each notification exactly once; raw repeats at most one per kill. PostgreSQL only,
like the rest of this folder (SKIP LOCKED and a second process writing at the same time).
"""
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from alembic import command
from portal.outbox.models import OutboxMessage
from portal.outbox.services import enqueue
from tests.conftest import HERE, alembic_config
from tests.smtp_sink import SmtpSink

from .conftest import create_database, drop_database, write_ini

MESSAGES = 300
KILLS = 3
SERVER_DELAY = 0.004  # seconds per message: a batch takes long enough to be killed in the middle
DEADLINE = 120.0


@pytest.fixture
def outbox_db(server_url):
    url = create_database(server_url)
    try:
        command.upgrade(alembic_config(url.render_as_string(hide_password=False)), "head")
        yield url
    finally:
        drop_database(url)


def start_worker(ini: Path, log: Path) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PORTAL_DB_URL"}
    with log.open("ab") as out:
        return subprocess.Popen([sys.executable, "-m", "portal.scripts.worker", str(ini), "--batch", "50",
                                 "--interval", "0.2"], cwd=HERE, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL)


def wait_for(condition, what, log: Path):
    deadline = time.monotonic() + DEADLINE
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}:\n{log.read_text(errors='replace')[-3000:]}")
        time.sleep(0.02)


def test_killed_worker_restarts_and_every_notification_arrives_exactly_once(outbox_db, tmp_path):
    engine = create_engine(outbox_db, poolclass=NullPool)
    with Session(engine) as session, session.begin():
        for i in range(MESSAGES):
            enqueue(session, recipient=f"customer{i}@example.test", subject=f"Request #{i}: Assigned",
                    body=f"Notification {i}\n", topic="request.assign")
    with Session(engine) as session:
        ids = set(session.scalars(select(OutboxMessage.id)))

    with SmtpSink(delay=SERVER_DELAY) as sink:
        ini = tmp_path / "worker.ini"
        write_ini(ini, outbox_db, tmp_path / "uploads")
        ini.write_text(re.sub(r"^mail\.port = .*$", f"mail.port = {sink.port}",
                              ini.read_text(), flags=re.M).replace("mail.default_sender = portal@localhost",
                                                                   "mail.default_sender = portal@portal.test"))
        log = tmp_path / "worker.log"
        for kill in range(1, KILLS + 1):
            process = start_worker(ini, log)
            target = kill * MESSAGES // (KILLS + 1)
            wait_for(lambda: sink.count() >= target, f"{target} messages before kill {kill}", log)
            process.send_signal(signal.SIGKILL)
            assert process.wait(timeout=10) == -signal.SIGKILL
        # The last worker runs to the end, then stops cleanly on SIGTERM.
        process = start_worker(ini, log)

        def all_sent():
            with engine.connect() as conn:
                return conn.execute(text("SELECT count(*) FROM outbox WHERE state <> 'sent'")).scalar() == 0

        wait_for(all_sent, "every row sent", log)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0, log.read_text()

    with engine.connect() as conn:
        states = dict(conn.execute(text("SELECT state, count(*) FROM outbox GROUP BY state")).all())
    engine.dispose()
    assert states == {"sent": MESSAGES}
    mailbox = sink.mailbox()
    assert set(mailbox) == {f"<portal-outbox-{i}@portal.test>" for i in ids}, "a notification was lost"
    for message_id, received in mailbox.items():
        number = int(re.search(r"\d+", received.body).group())
        assert received.recipients == (f"customer{number}@example.test",)
    repeats = len(sink.accepted) - len(mailbox)
    assert 0 <= repeats <= KILLS, f"{repeats} repeated deliveries for {KILLS} kills"
    print(f"\n{MESSAGES} notifications, {KILLS} kills: {repeats} repeated on the wire (same Message-ID), 0 lost")
