"""Paging and sorting happen in the database with whitelisted keys."""
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select

from portal.parties.models import Party
from portal.views.listing import ListSpec, ListView
from portal.views.pagination import Page, SortSpec, parse_page, row_class
from tests.conftest import statements
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


class PartyList(ListView):
    spec = ListSpec(columns=(), search=(Party.name, Party.tax_id),
                    sorts={"name": Party.name, "tax_id": Party.tax_id}, default_sort="name", tiebreak=Party.id)

    def statement(self):
        return select(Party)


def listing(params):
    return PartyList(None, SimpleNamespace(params=params))


def test_listing_searches_any_column_literally_and_ignoring_case(dbsession):
    PartyFactory(name="Alpha 100%", tax_id="111")
    PartyFactory(name="ALPHA 100 percent", tax_id="222")
    PartyFactory(name="Beta", tax_id="alpha-333")
    PartyFactory(name="Gamma_1", tax_id="444")
    found = lambda q: sorted(p.name for p in dbsession.scalars(listing({"q": q}).listed()))  # noqa: E731
    assert found("alpha") == ["ALPHA 100 percent", "Alpha 100%", "Beta"]
    assert found("100%") == ["Alpha 100%"]  # % is a character here, not a wildcard
    assert found("a_1") == ["Gamma_1"]
    assert found("  ") == found("") and len(found("")) >= 4


def test_listing_sorts_by_whitelisted_keys_with_a_total_order(dbsession):
    for name in ("Same", "Same", "Other"):
        PartyFactory(name=name)
    desc = listing({"sort": "-name", "q": "e"})
    rows = dbsession.scalars(desc.listed()).all()
    names = [p.name for p in rows if p.name in ("Same", "Other")]
    assert names == ["Same", "Same", "Other"]
    same_ids = [p.id for p in rows if p.name == "Same"]
    assert same_ids == sorted(same_ids)  # ties ordered by id, so pages never overlap
    assert desc.query == {"q": "e", "sort": "-name"}
    assert listing({"sort": "password_hash"}).sort == SortSpec("name", False)
    assert listing({}).query == {"sort": "name"}
    assert len(listing({"q": "x" * 500}).q) == 100


# --- a count bounded by a cap ---------------------------------------------------------
def capped(dbsession, page, *, cap=5):
    statement = select(Party).where(Party.name.like("C%")).order_by(Party.name)
    return Page(dbsession, statement, page=page, page_size=3, count_cap=cap)


@pytest.fixture
def twelve(dbsession):
    for n in range(12):
        PartyFactory(name=f"C{n:02d}")


def names(page):
    return [p.name for p in page.items]


def test_past_the_cap_the_total_is_more_than_the_cap(dbsession, twelve):
    first = capped(dbsession, 1)
    assert not first.total_known and first.total == 5 and first.page_count is None
    assert names(first) == ["C00", "C01", "C02"] and (first.first_item, first.last_item) == (1, 3)
    assert first.has_next and not first.has_previous


def test_pages_beyond_the_cap_page_on_and_the_last_one_knows_the_total(dbsession, twelve):
    second = capped(dbsession, 2)  # reaches past what the count saw: it looks one row ahead
    assert names(second) == ["C03", "C04", "C05"] and second.has_next and second.has_previous
    assert not second.total_known
    third = capped(dbsession, 3)
    assert names(third) == ["C06", "C07", "C08"] and third.has_next and not third.total_known
    last = capped(dbsession, 4)
    assert names(last) == ["C09", "C10", "C11"] and not last.has_next
    assert last.total_known and last.total == 12 and last.page_count == 4
    assert (last.first_item, last.last_item) == (10, 12)


def test_a_page_past_the_end_of_an_uncounted_list_goes_to_its_last_page(dbsession, twelve):
    beyond = capped(dbsession, 99)
    assert beyond.page == 4 and names(beyond) == ["C09", "C10", "C11"]
    assert beyond.total_known and beyond.total == 12 and not beyond.has_next


def test_at_or_under_the_cap_the_total_is_exact(dbsession, twelve):
    page = capped(dbsession, 2, cap=12)
    assert page.total_known and page.total == 12 and page.page_count == 4 and page.has_next
    assert capped(dbsession, 1, cap=11).total_known is False


def test_the_cap_is_never_under_a_page(dbsession, twelve):
    page = capped(dbsession, 1, cap=1)  # a cap under the page size counts one page at least
    assert page.count_cap == 3 and not page.total_known and page.has_next


def test_the_count_reads_no_further_than_the_cap(dbsession, twelve):
    seen = []
    engine = dbsession.get_bind()

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", record)
    try:
        capped(dbsession, 1)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert len(seen) == 2  # the count and the page, nothing more
    count_sql, count_params = seen[0]
    assert "count(*)" in count_sql and "LIMIT" in count_sql
    assert 6 in (count_params.values() if isinstance(count_params, dict) else count_params)


def test_a_total_the_caller_knows_is_not_counted_again_and_pages_exactly(dbsession, twelve):
    statement = select(Party).where(Party.name.like("C%")).order_by(Party.name)
    with statements(dbsession) as seen:
        page = Page(dbsession, statement, page=4, page_size=3, count_cap=5, total=12)  # past the cap: still exact
    assert len(seen) == 1 and "count(" not in seen[0].lower()  # the rows alone
    assert page.total_known and page.total == 12 and page.page_count == 4 and not page.has_next
    assert names(page) == ["C09", "C10", "C11"]
    assert Page(dbsession, statement, page=99, page_size=3, total=12).page == 4


@pytest.mark.parametrize("rows", [0, 1, 3, 4, 12])
def test_an_uncounted_page_shows_what_a_counted_one_does_and_counts_nothing(dbsession, rows):
    for n in range(rows):
        PartyFactory(name=f"Uncounted {n:02d}")
    dbsession.flush()
    statement = select(Party).where(Party.name.like("Uncounted %")).order_by(Party.name, Party.id)
    for number in range(1, 7):
        counted = Page(dbsession, statement, page=number, page_size=3)
        with statements(dbsession) as seen:
            uncounted = Page(dbsession, statement, page=number, page_size=3, count=False)
        past_the_end = number > max(1, counted.page_count)
        # One statement, the rows and one ahead; a page past the end finds none, counts up to where it
        # starts (a bounded count) and reads the last page.
        assert len(seen) == (3 if past_the_end else 1) and "count(" not in seen[-1].lower(), seen
        assert names(uncounted) == names(counted) and uncounted.page == counted.page
        assert (uncounted.has_next, uncounted.has_previous) == (counted.has_next, counted.has_previous)
        assert (uncounted.first_item, uncounted.last_item) == (counted.first_item, counted.last_item)
        if uncounted.has_next:  # it knows only that more follow: "more than" the rows up to its end
            assert not uncounted.total_known and uncounted.total == uncounted.last_item
        else:
            assert uncounted.total_known and uncounted.total == counted.total == rows


def test_a_page_of_plain_rows_reads_them_into_named_tuples(dbsession):
    for n in range(3):
        PartyFactory(name=f"Row{n}", tax_id=f"77{n:08d}")
    statement = (select(Party.id, Party.name, Party.tax_id.label("inn"))
                 .where(Party.name.like("Row%")).order_by(Party.name))
    page = Page(dbsession, statement, page=1, page_size=2, scalars=False)
    expected = dbsession.execute(statement.limit(2)).all()
    assert [type(row) for row in page.items] == [row_class(("id", "name", "inn"))] * 2
    assert [(row.id, row.name, row.inn) for row in page.items] == [tuple(row) for row in expected]
    assert page.items[1][2] == "7700000001" and page.items[0]._asdict()["name"] == "Row0"


@pytest.mark.parametrize("names", [("id", "id"), ("id", "_secret"), ("class", "id"), ("id", "1st")])
def test_names_no_named_tuple_can_hold_leave_the_rows_as_they_came(names):
    assert row_class(names) is None


def test_a_page_whose_column_no_named_tuple_can_hold_keeps_sqlalchemys_rows(dbsession):
    PartyFactory(name="Hidden")
    statement = select(Party.id, Party.name.label("_name")).where(Party.name == "Hidden")
    (row,) = Page(dbsession, statement, scalars=False).items
    assert not isinstance(row, tuple) and row._name == "Hidden"  # a Row, which is no tuple
