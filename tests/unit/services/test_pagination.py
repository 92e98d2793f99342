"""Paging and sorting happen in the database with whitelisted keys."""
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from portal.models import Party
from portal.services.pagination import Page, SortSpec, parse_page
from tests.factories import PartyFactory


@given(st.one_of(st.none(), st.text(max_size=30), st.integers().map(str)))
def test_parse_page_always_gives_a_sane_page(value):
    page = parse_page(value)
    assert 1 <= page <= 1_000_000


def test_sort_spec_whitelists_keys_and_toggles():
    allowed = {"name": 1, "id": 2}
    assert SortSpec.parse("-name", allowed, "id") == SortSpec("name", True)
    assert SortSpec.parse("password", allowed, "id") == SortSpec("id", False)
    assert SortSpec.parse(None, allowed, "-id") == SortSpec("id", True)
    spec = SortSpec("name", False)
    assert spec.token("name") == "-name" and spec.token("id") == "id"
    assert SortSpec("name", True).token("name") == "name"


def test_page_counts_and_clamps(dbsession):
    for n in range(7):
        PartyFactory(name=f"P{n}")
    statement = select(Party).where(Party.name.like("P%")).order_by(Party.name)
    page = Page(dbsession, statement, page=2, page_size=3)
    assert page.total == 7 and page.page_count == 3
    assert [p.name for p in page.items] == ["P3", "P4", "P5"]
    assert (page.first_item, page.last_item) == (4, 6)
    assert page.has_previous and page.has_next
    last = Page(dbsession, statement, page=99, page_size=3)
    assert last.page == 3 and [p.name for p in last.items] == ["P6"]


def test_empty_page(dbsession):
    page = Page(dbsession, select(Party).where(Party.name == "none"), page=1)
    assert page.total == 0 and page.items == [] and page.first_item == 0 and not page.has_next
