"""Outbox delivery: notifications per second from the outbox to a local SMTP server.

The portal's side is ``OutboxDelivery`` as ``portal-worker`` runs it, on an engine
made as the worker makes its own (outbox/queue.py's ``engine_options``): claim a
batch of due rows, then per message build the e-mail with pyramid_mailer, send it
on the round's SMTP connection, store its outcome with its attempt. The bare side
sends the same messages with smtplib over one connection, from memory: no
database, no transaction.
Both talk to the same SMTP server (aiosmtpd's discarding ``Sink`` handler) in a
process of its own, so the server's cost weighs on both alike.

    python -m bench.outbox <database url> [--messages N] [--rounds R]
"""
import argparse
import contextlib
import email.message
import smtplib
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone

from pyramid_mailer.mailer import Mailer
from sqlalchemy import delete, insert
from sqlalchemy.orm import sessionmaker

from portal.db import get_engine
from portal.outbox.models import OutboxMessage
from portal.outbox.queue import engine_options
from portal.outbox.services import OutboxDelivery

SENDER = "portal@bench.test"
DUE_SINCE = datetime(2000, 1, 1, tzinfo=timezone.utc)
TOPIC = "bench"
BODY = ("Hello, Petrova Olga.\n\nDispatcher moved Request #{i} \u201cMeter is broken\u201d to the state "
        "\u201cAssigned\u201d.\n\nOpen it in the portal: http://localhost:6543/p/1/requests/{i}/\n")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def smtp_server():
    """aiosmtpd with its discarding handler, in a process of its own; yields its port."""
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c", "aiosmtpd.handlers.Sink",
                                "-l", f"127.0.0.1:{port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=1):
                    break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise RuntimeError("the benchmark SMTP server did not start")
                time.sleep(0.05)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=10)


def fill(engine, count: int) -> None:
    """``count`` e-mails due since long ago: the claim walks the due rows oldest first, so in a database that
    holds other waiting e-mails too it meets these first, as it would meet the oldest of a real queue."""
    rows = [{"recipient": f"customer{i}@bench.test", "subject": f"Request #{i} \u201cMeter is broken\u201d: Assigned",
             "body": BODY.format(i=i), "topic": TOPIC, "next_attempt_at": DUE_SINCE} for i in range(count)]
    with engine.begin() as conn:
        conn.execute(delete(OutboxMessage).where(OutboxMessage.topic == TOPIC))
        conn.execute(insert(OutboxMessage), rows)


def clear(engine) -> None:
    with engine.begin() as conn:
        conn.execute(delete(OutboxMessage).where(OutboxMessage.topic == TOPIC))


class BenchDelivery(OutboxDelivery):
    """portal-worker's delivery, sending the benchmark's own rows only: a benchmark database may hold
    other e-mails (the notices of the invoices the API rows upsert), which are not this run's to send."""

    def due(self) -> tuple:
        return (*super().due(), OutboxMessage.topic == TOPIC)


def portal_rate(engine, port: int, count: int) -> float:
    fill(engine, count)
    mailer = Mailer(host="127.0.0.1", port=port)
    delivery = BenchDelivery(sessionmaker(bind=engine, expire_on_commit=False), mailer,
                             sender=SENDER, domain="bench.test")
    started = time.perf_counter()
    report = delivery.deliver(count)
    elapsed = time.perf_counter() - started
    if report.sent != count:
        raise RuntimeError(f"the portal sent {report.sent} of {count}: {report.errors[:3]}")
    clear(engine)
    return count / elapsed


def bare_rate(port: int, count: int) -> float:
    messages = []
    for i in range(count):
        message = email.message.EmailMessage()
        message["From"], message["To"] = SENDER, f"customer{i}@bench.test"
        message["Subject"] = f"Request #{i} \u201cMeter is broken\u201d: Assigned"
        message["Message-ID"] = f"<bare-{i}@bench.test>"
        message.set_content(BODY.format(i=i))
        messages.append(message)
    started = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as connection:
        for message in messages:
            connection.send_message(message)
    return count / (time.perf_counter() - started)


def measure(db_url: str, messages: int = 2000, rounds: int = 2) -> dict:
    """Best of ``rounds`` interleaved rounds of each, in messages per second."""
    engine = get_engine({"sqlalchemy.url": db_url}, **engine_options(db_url))
    portal, bare = [], []
    try:
        with smtp_server() as port:
            for _ in range(rounds):
                portal.append(portal_rate(engine, port, messages))
                bare.append(bare_rate(port, messages))
    finally:
        clear(engine)
        engine.dispose()
    return {"messages": messages, "portal": max(portal), "bare": max(bare), "ratio": max(portal) / max(bare)}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m bench.outbox", description=__doc__.splitlines()[0])
    parser.add_argument("db_url", help="a migrated portal database (bench/run makes them)")
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args(argv)
    result = measure(args.db_url, args.messages, args.rounds)
    print(f"outbox delivery, {result['messages']} messages: portal {result['portal']:.0f}/s, "
          f"bare smtplib {result['bare']:.0f}/s, ratio {result['ratio']:.2f}x")


if __name__ == "__main__":
    main()
