"""A local SMTP server that keeps what it is sent, for the worker's tests and the outbox benchmark.

``SmtpSink`` runs aiosmtpd on 127.0.0.1 in a thread. Each accepted message is
recorded with its Message-ID; ``mailbox()`` drops a repeated Message-ID the way a
mail store does, ``accepted`` keeps every SMTP acceptance. ``delay`` makes the
server slow (a kill then lands in the middle of a batch), ``reply`` makes it
refuse (``"451 ..."`` for a temporary, ``"550 ..."`` for a permanent refusal).
"""
import email
import email.header
import socket
import threading
import time
from dataclasses import dataclass

from aiosmtpd.controller import Controller


@dataclass(frozen=True)
class Received:
    message_id: str
    recipients: tuple
    subject: str
    body: str


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class _Handler:
    def __init__(self, sink):
        self.sink = sink

    async def handle_DATA(self, server, session, envelope):
        if self.sink.reply:
            return self.sink.reply
        if self.sink.delay:
            time.sleep(self.sink.delay)  # blocks the server's loop: a slow server, one message at a time
        message = email.message_from_bytes(envelope.original_content or envelope.content)
        payload = message.get_payload(decode=True) or b""
        self.sink.record(Received(
            message_id=message.get("Message-ID", ""),
            recipients=tuple(envelope.rcpt_tos),
            subject=str(email.header.make_header(email.header.decode_header(message.get("Subject", "")))),
            body=payload.decode(message.get_content_charset() or "utf-8", errors="replace"),
        ))
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, *, delay: float = 0.0, reply: str | None = None):
        self.delay = delay
        self.reply = reply
        self.port = free_port()
        self.accepted: list[Received] = []
        self._lock = threading.Lock()
        self._controller = Controller(_Handler(self), hostname="127.0.0.1", port=self.port)

    def record(self, received: Received) -> None:
        with self._lock:
            self.accepted.append(received)

    def count(self) -> int:
        with self._lock:
            return len(self.accepted)

    def mailbox(self) -> dict[str, Received]:
        """One message per Message-ID, as a mail store keeps them."""
        with self._lock:
            return {r.message_id: r for r in self.accepted}

    def __enter__(self):
        self._controller.start()
        return self

    def __exit__(self, *exc):
        self._controller.stop()
