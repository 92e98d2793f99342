"""An event as it leaves the portal: its opaque cursor and its JSON document.

A cursor is the event's place in the feed's order, ``(seq, id)``, packed
into 16 bytes and written in URL-safe base64 (22 characters): consumers hand
it back as they got it and never read anything into it.
"""
import base64
import binascii
import struct
from typing import NamedTuple

from portal.api.feed.models import FeedEvent
from portal.db.ids import MAX_ID

PACKING = struct.Struct(">QQ")
CURSOR_LENGTH = 22
MAX_SEQ = 2 ** 63 - 1  # the database's bigint


class Position(NamedTuple):
    """A place in the feed's order: after every event with a smaller ``(seq, id)``."""

    seq: int
    id: int

    @classmethod
    def of(cls, event: FeedEvent) -> "Position":
        return cls(event.seq, event.id)


START = Position(0, 0)


class BadCursor(ValueError):
    """A cursor the portal did not make."""


def encode_cursor(position: Position) -> str:
    return base64.urlsafe_b64encode(PACKING.pack(*position)).rstrip(b"=").decode("ascii")


def decode_cursor(cursor) -> Position:
    """The position a cursor stands for; raises BadCursor for anything the portal could not have made."""
    if not isinstance(cursor, str) or len(cursor) != CURSOR_LENGTH or not cursor.isascii():
        raise BadCursor(cursor)
    try:
        # Characters outside base64 are dropped in decoding: what is left may be too short to unpack.
        seq, event_id = PACKING.unpack(base64.urlsafe_b64decode(cursor + "=="))
    except (binascii.Error, ValueError, struct.error):
        raise BadCursor(cursor) from None
    if seq > MAX_SEQ or not 0 < event_id <= MAX_ID or encode_cursor(Position(seq, event_id)) != cursor:
        raise BadCursor(cursor)
    return Position(seq, event_id)


def event_document(event: FeedEvent) -> dict:
    """What a webhook POSTs and the feed lists (the feed adds the cursor): the event's id, kind,
    when it was published and its payload."""
    return {"id": event.id, "kind": event.kind, "published_at": event.published_at.isoformat(),
            "payload": event.payload}
