"""Tags as they are kept and filtered on, titles in each language, and the fallback file name."""
from types import SimpleNamespace

import pytest

from portal.documents.demo import simple_pdf
from portal.documents.services.library import ANY_TAG, join_tags, parse_tags, title_in
from portal.documents.views import ascii_filename


def test_tags_are_lowercase_single_spaced_and_once():
    assert parse_tags(" Tariff , 2026;tariff,,  Price   List ") == ["tariff", "2026", "price list"]
    assert join_tags(parse_tags("b, a")) == "b, a"
    assert parse_tags("") == [] and parse_tags(None) == []


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
