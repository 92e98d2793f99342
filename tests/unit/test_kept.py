"""A kept value is made once per key, and a cache never holds more keys than its size."""
from hypothesis import given
from hypothesis import strategies as st

from portal.kept import kept


def test_a_value_is_made_once_per_key():
    store, made = {}, []

    def make(key):
        return lambda: made.append(key) or f"value {key}"

    assert [kept(store, "c", key, make(key), 10) for key in "abab"] == ["value a", "value b"] * 2
    assert made == ["a", "b"]


@given(st.lists(st.integers(0, 50), max_size=200), st.integers(1, 8))
def test_a_cache_stays_within_its_size(keys, size):
    store = {}
    for key in keys:
        assert kept(store, "c", key, lambda key=key: key * 2, size) == key * 2
        assert len(store["c"]) <= size
