"""Feed cursors: opaque, exact round trips of a place in the feed, and nothing else is taken for one."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.api.feed.events import MAX_SEQ, BadCursor, Position, decode_cursor, encode_cursor
from portal.db.ids import MAX_ID

places = st.builds(Position, st.integers(0, MAX_SEQ), st.integers(1, MAX_ID))


@given(places)
def test_a_cursor_gives_back_its_place(position):
    cursor = encode_cursor(position)
    assert len(cursor) == 22 and cursor.isascii() and "=" not in cursor
    assert decode_cursor(cursor) == position


@given(places, places)
def test_two_places_share_a_cursor_only_when_they_are_one(a, b):
    assert (encode_cursor(a) == encode_cursor(b)) == (a == b)


@pytest.mark.parametrize("cursor", [
    None, 17, "", "short", "A" * 21, "A" * 23, "AAAAAAAAAAAAAAAAAAAAAA",  # event id 0 names nothing
    "//////////////////////", "AAAAAAAAAAAAAAAAAAAAA!", "ААААААААААААААААААААAQ",
    "gAAAAAAAAAAAAAAAAAAAAQ",  # a place past the database's bigint
    "AAAAAAAAAAAAAAAAgAAAAA",  # an event id past the id column's integer
    "AAAAAAAAAAAAAAAAAAAAAR",  # not the canonical spelling of its bytes
    "AAAAAAAAAAAA@@@@@@@@@@",  # what is left once the characters outside base64 are dropped is too short
])
def test_anything_the_portal_did_not_make_is_refused(cursor):
    with pytest.raises(BadCursor):
        decode_cursor(cursor)
