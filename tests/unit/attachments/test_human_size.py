"""``human_size`` writes a file's size as Babel's ``format_decimal`` would (its pattern parsed once per
language rather than on every row of a document list)."""
from babel.numbers import format_decimal
from hypothesis import given
from hypothesis import strategies as st

from portal.attachments.services import human_size


def babel_size(size: int, locale: str) -> str:
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return format_decimal(size / 1024, "#,##0.#", locale=locale) + " KB"
    return format_decimal(size / 1024 / 1024, "#,##0.#", locale=locale) + " MB"


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(["en", "ru"]))
def test_a_size_reads_as_babel_writes_it(size, locale):
    assert human_size(size, locale) == babel_size(size, locale)


def test_sizes_as_people_read_them():
    assert human_size(1536, "ru") == "1,5 KB" and human_size(1536) == "1.5 KB"
    assert human_size(5 * 1024 * 1024, "en") == "5 MB" and human_size(12) == "12 B"
