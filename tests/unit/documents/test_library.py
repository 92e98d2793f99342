"""Tags as they are kept and filtered on, titles in each language, and the fallback file name."""
from collections import Counter
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from portal.documents.demo import simple_pdf
from portal.documents.services.library import (
    ANY_TAG,
    TAG_SEPARATOR,
    join_tags,
    most_used_tags,
    parse_tags,
    tag_list,
    title_in,
)
from portal.documents.views import ascii_filename


def test_tags_are_lowercase_single_spaced_and_once():
    assert parse_tags(" Tariff , 2026;tariff,,  Price   List ") == ["tariff", "2026", "price list"]
    assert join_tags(parse_tags("b, a")) == "b, a"
    assert parse_tags("") == [] and parse_tags(None) == []


def _tags_counted_per_document(texts, limit):
    """The tags most used, counted one document at a time as each document's tag list reads them."""
    counter = Counter()
    for text in texts:
        counter.update(tag_list(SimpleNamespace(tags=text)))
    return sorted(tag for tag, _n in counter.most_common(limit))


def test_the_most_used_tags_are_counted_over_the_documents():
    texts = ["tariff, 2026", "tariff", "price list, 2026", "tariff, archive"]
    assert most_used_tags(texts, 2) == ["2026", "tariff"]
    assert most_used_tags(texts, 30) == ["2026", "archive", "price list", "tariff"]
    assert most_used_tags([], 30) == []


# Texts as kept (tags joined by ", ") and some that are not (a separator at an end, doubled, commas).
TAG_TEXTS = st.lists(st.one_of(
    st.lists(st.sampled_from(["a", "b", "tariff", "price list", "2026"]), max_size=4).map(TAG_SEPARATOR.join),
    st.text(alphabet="ab, ", max_size=8),
), max_size=12)


@given(TAG_TEXTS, st.integers(min_value=1, max_value=6))
def test_the_most_used_tags_are_those_each_document_counts(texts, limit):
    assert most_used_tags(texts, limit) == _tags_counted_per_document(texts, limit)


@pytest.mark.parametrize("value,allowed", [
    ("tariff", True), ("price list", True), ("Tariff", False), ("a,b", False), (" x", False), ("", False),
    ("x" * 51, False), (None, False),
])
def test_a_tag_filter_takes_only_a_tag_as_it_is_kept(value, allowed):
    assert (value in ANY_TAG) is allowed


def test_a_title_falls_back_to_the_other_language():
    both = SimpleNamespace(title_en="Tariffs", title_ru="Тарифы")
    assert title_in(both, "ru") == "Тарифы" and title_in(both, "en") == "Tariffs"
    assert title_in(SimpleNamespace(title_en=None, title_ru="Тарифы"), "en") == "Тарифы"
    assert title_in(SimpleNamespace(title_en="Tariffs", title_ru=None), "ru") == "Tariffs"


@pytest.mark.parametrize("filename,expected", [
    ("tariffs-2026.pdf", "tariffs-2026.pdf"),
    ("Договор.pdf", "document-7-v2.pdf"),
    ("Прайс.дoc", "document-7-v2.bin"),
    ("noextension", "noextension"),
])
def test_the_ascii_name_is_the_real_one_or_names_the_document(filename, expected):
    assert ascii_filename(SimpleNamespace(filename=filename, number=2), 7) == expected


def test_the_demo_pdf_is_well_formed():
    import re

    pdf = simple_pdf(["Tariffs (2026)"])
    xref = int(re.search(rb"startxref\n(\d+)", pdf).group(1))
    assert pdf.startswith(b"%PDF-1.4") and pdf.endswith(b"%%EOF\n") and pdf[xref:xref + 4] == b"xref"
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", pdf), start=1):
        assert pdf[int(offset):].startswith(b"%d 0 obj" % number)
    assert b"(Tariffs \\(2026\\)) Tj" in pdf
