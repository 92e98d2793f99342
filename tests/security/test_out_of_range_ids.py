"""Ids past what the id columns hold, in URLs and in forms: refused, never a 5xx.

Kept apart from the module-wide transactions of test_crawler.py and
test_forms.py: on PostgreSQL such a failure aborts the transaction a module's
tests share, and every later request of that module would fail with it.
Both guard bugs found when they were written (commit 0a5f06f) and fixed since:
ids are parsed by resources/ids.py and the assign guard checks the range.
"""

from .crawler import NUMERIC_SEGMENT, Crawler, ServerError, path_of, shape_of
from .test_crawler import START_URLS, report
from .visibility import party_in

# One past a 32-bit integer, the longest id the containers let through (18
# digits), one past a 64-bit integer.
HUGE_IDS = (str(2**31), str(10**18 - 1), str(2**63))
def get(browser, url):
    try:
        return browser.get(url, status="*", expect_errors=True)
    except Exception as exc:  # PostgreSQL: the error page itself fails in the aborted transaction
        raise ServerError(f"GET {url} raised {exc!r}") from exc


def test_ids_too_big_for_the_id_columns_are_not_found(world):
    admin = world.browser(world.actors["admin"])
    crawled = Crawler(admin, max_variants=1).crawl(START_URLS)  # the admin reaches every kind of page
    # Such an id exists on no page: one URL of each shape, each segment, each value is enough.
    by_shape = {}
    for url in sorted(crawled):
        path = path_of(url)
        for position, match in enumerate(NUMERIC_SEGMENT.finditer(path)):
            for value in HUGE_IDS:
                changed = path[: match.start()] + value + path[match.end():]
                by_shape.setdefault((shape_of(path), position, value), changed)
    urls = sorted(by_shape.values())
    assert len(urls) >= 10, urls
    problems = []
    for who, browser in {"anonymous": world.browser(None), "admin": admin}.items():
        for url in urls:
            response = get(browser, url)
            if response.status_int >= 500:
                problems.append(f"{who}: {url} answered {response.status}")
            else:
                assert party_in(url) is None or response.status_int in (303, 404), (who, url, response.status)
    if problems:
        raise ServerError(report(problems))


def test_assigning_to_an_id_out_of_range_is_refused_not_a_500(world):
    backoffice = world.browser(world.actors["backoffice"])
    crawler = Crawler(backoffice)
    crawler.crawl(["/"])
    assign = [f for f in crawler.post_forms if f.name == "transition" and ("transition", "assign") in
              {(x.name, x.value) for x in f.fields}]
    assert assign, "no request offers the assign transition to the back office in the demo data"
    form = assign[0]
    for value in (str(10**30), str(2**31)):
        try:
            response = backoffice.post(form.action, form.pairs({"assignee_id": value}), status="*",
                                       expect_errors=True)
        except Exception as exc:  # PostgreSQL: the error page itself fails in the aborted transaction
            raise ServerError(f"POST {form.action} assignee_id={value} raised {exc!r}") from exc
        if response.status_int >= 500:
            raise ServerError(f"POST {form.action} assignee_id={value} answered {response.status}")
        assert response.status_int in (303, 400), response.status
