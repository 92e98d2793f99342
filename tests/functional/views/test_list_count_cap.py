"""A list longer than the pager's count cap: "more than N", previous/next past it, the export whole;
and a search, which counts nothing past its page.

The cap is a setting (``portal.list_count_cap``); here it is 60, just over one
page of 50, so the directory's 131 parties have one page inside the cap and two past it.
"""
import io

import openpyxl
import pytest
import webtest
from sqlalchemy import select

import portal
from portal.parties.models import Party
from tests.conftest import login, statements
from tests.factories import PartyFactory, staff

CAP = 60
ROWS = 130


@pytest.fixture(scope="module")
def capped_app(app_settings, migrated_engine):
    return portal.main({}, **dict(app_settings, **{"portal.list_count_cap": str(CAP)}))


@pytest.fixture
def browser(capped_app, tm, dbsession):
    for n in range(ROWS):
        PartyFactory(name=f"Capped {n:03d}")
    PartyFactory(name="Other Ltd")
    client = webtest.TestApp(capped_app, extra_environ={
        "HTTP_HOST": "localhost", "REMOTE_ADDR": "192.0.2.10",
        "tm.active": True, "tm.manager": tm, "app.dbsession": dbsession,
    })
    login(client, staff("head").login)
    return client


def pager(page) -> str:
    return " ".join(page.html.select_one("nav.pager").get_text(" ").split())


def names(page):
    return [a.text for a in page.html.select("table.list tbody td:first-child a")]


ALL = [f"Capped {n:03d}" for n in range(ROWS)]


def everyone(dbsession) -> list:
    """The directory's names in its order (the fixture's parties, and any another test left behind)."""
    return dbsession.scalars(select(Party.name).order_by(Party.name, Party.id)).all()


def test_a_list_past_the_cap_says_more_than_the_cap(browser, dbsession):
    page = browser.get("/p/?sort=name")
    assert "1–50 of more than 60" in pager(page) and "page 1" in pager(page)
    assert " of 2" not in pager(page) and " of 3" not in pager(page)  # no page count it does not know
    assert names(page) == everyone(dbsession)[:50]
    assert page.html.select_one("nav.pager a[rel=prev]") is None


def test_next_and_previous_page_on_past_the_cap(browser, dbsession):
    listed, pages = everyone(dbsession), [browser.get("/p/?sort=name")]
    while link := pages[-1].html.select_one("nav.pager a[rel=next]"):
        pages.append(browser.get(link["href"]))
    assert [name for page in pages for name in names(page)] == listed
    for number, page in enumerate(pages[1:-1], start=2):
        assert f"{50 * number - 49}–{50 * number} of more than 60" in pager(page) and f"page {number}" in pager(page)
        assert page.html.select_one("nav.pager a[rel=prev]") is not None
    # The last page knows where the list ends, so it knows the total.
    last = len(pages)
    assert f"{50 * last - 49}–{len(listed)} of {len(listed)}" in pager(pages[-1])
    assert f"page {last} of {last}" in pager(pages[-1])
    back = browser.get(pages[-1].html.select_one("nav.pager a[rel=prev]")["href"])
    assert names(back) == names(pages[-2])


def test_a_page_beyond_the_end_shows_the_last_page(browser, dbsession):
    listed = everyone(dbsession)
    last = -(-len(listed) // 50)
    page = browser.get("/p/?sort=name&page=99")
    assert names(page) == listed[50 * (last - 1):] and f"page {last} of {last}" in pager(page)
    page = browser.get("/p/?q=capped&sort=name&page=9")  # a search, uncounted, finds its end as well
    assert names(page) == ALL[100:] and "page 3 of 3" in pager(page)


def test_under_the_cap_the_total_is_exact(browser):
    for n in range(5):
        PartyFactory(name=f"Small {n}")
    page = browser.get("/p/?q=small")
    assert "1–5 of 5" in pager(page) and "page 1 of 1" in pager(page)


def test_a_search_pages_on_without_counting_its_matches(browser, dbsession):
    with statements(dbsession) as seen:
        first = browser.get("/p/?q=capped&sort=name")
    searched = [sql for sql in seen if "lower(parties.name)" in sql]
    assert len(searched) == 1 and "count(" not in searched[0].lower(), searched  # the page's rows alone
    # It knows only that more rows follow this page, even below the cap (60).
    assert "1–50 of more than 50" in pager(first) and "page 1" in pager(first) and " of 3" not in pager(first)
    assert names(first) == ALL[:50]
    second = browser.get(first.html.select_one("nav.pager a[rel=next]")["href"])
    assert names(second) == ALL[50:100] and "51–100 of more than 100" in pager(second)
    third = browser.get(second.html.select_one("nav.pager a[rel=next]")["href"])
    assert names(third) == ALL[100:ROWS] and "101–130 of 130" in pager(third) and "page 3 of 3" in pager(third)
    assert third.html.select_one("nav.pager a[rel=next]") is None


def test_the_export_holds_every_row_past_the_cap(browser):
    response = browser.get("/p/export.xlsx?q=capped&sort=name")
    rows = list(openpyxl.load_workbook(io.BytesIO(response.body)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [f"Capped {n:03d}" for n in range(ROWS)]



@pytest.mark.parametrize("bad", ["lots", "10", "-5", ""])
def test_a_bad_cap_stops_the_start_with_a_clear_message(app_settings, migrated_engine, bad):
    from pyramid.exceptions import ConfigurationError

    with pytest.raises(ConfigurationError, match="portal.list_count_cap must be a whole number of at least 50"):
        portal.main({}, **dict(app_settings, **{"portal.list_count_cap": bad}))
