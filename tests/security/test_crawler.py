"""Party isolation, checked on every page a user can reach.

Each user of a realistic data set logs in through the form and crawls the
portal; every URL anyone reached is then requested by every other user, by an
anonymous visitor, and with its numeric ids moved to the neighbouring records.
Pages that modules add later are found by the crawl, so they are covered
without new tests. The oracle (who may see what, and which strings betray a
party) is in ``visibility.py``.
"""
from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from .crawler import NUMERIC_SEGMENT, Crawler, path_of, url_kinds
from .visibility import party_in

START_URLS = ("/",)
# Each numeric path segment is moved to its neighbours (and to 0); ids too big
# for the id columns are tried in test_out_of_range_ids.py.
ID_CHANGES = (+1, -1)
ODD_IDS = ("0",)


class Site:
    """Every actor of the world, logged in, with what its crawl found.

    Leaks seen by any check made through ``leak_check`` land in ``problems``;
    a test looks at those after ``mark()``, so one test's findings do not fail
    the next (the site is shared by the module).
    """

    def __init__(self, world):
        self.world = world
        self.problems: list[str] = []
        self.browsers = {}
        self.crawlers: dict[str, Crawler] = {}
        for name, actor in world.actors.items():
            browser = world.browser(actor)
            crawler = Crawler(browser, check=self.leak_check(actor))
            crawler.crawl(START_URLS)
            self.browsers[name], self.crawlers[name] = browser, crawler
        # Every URL anyone reached, and who reached it.
        self.urls: dict[str, set[str]] = {}
        for name, crawler in self.crawlers.items():
            for url in crawler.statuses:
                self.urls.setdefault(url, set()).add(name)
        self.post_forms = {f.key: f for c in self.crawlers.values() for f in c.post_forms}
        self.crawl_problems = list(self.problems)

    def mark(self) -> int:
        return len(self.problems)

    def since(self, mark) -> list[str]:
        return self.problems[mark:]

    def leak_check(self, actor, visible=frozenset()):
        """A ``check(url, response)`` that records what ``actor`` (None: anonymous) must not see."""
        visible = actor.visible if actor is not None else visible
        viewer = None if actor is None else actor.user_id
        who = "anonymous" if actor is None else actor.login

        def check(url, response):
            if actor is not None and actor.sees_all:
                return  # staff who see every party see their users too
            leaks = self.world.secrets.response_leaks(response, visible, viewer)
            if leaks:
                self.problems.append(f"{who}: {url} ({response.status_int}) shows {leaks}")

        return check

    def server_errors(self) -> list:
        return [(name, err) for name, c in self.crawlers.items() for err in c.server_errors]

    def restricted(self):
        return [self.world.actors[name] for name in self.world.RESTRICTED]

    def staff(self):
        return [self.world.actors[name] for name in self.world.STAFF]


def is_login_redirect(response) -> bool:
    return response.status_int == 303 and urlsplit(response.location or "").path == "/login"


def csrf_token_of(browser) -> str:
    page = browser.get("/account/")
    field = page.html.find("input", attrs={"name": "csrf_token"})
    assert field is not None, "no CSRF token on /account/"
    return field["value"]


def report(problems, limit=40):
    lines = problems[:limit] + ([f"... and {len(problems) - limit} more"] if len(problems) > limit else [])
    return "\n".join(lines)


@pytest.fixture(scope="module")
def site(module_world):
    return Site(module_world)


def reached_home(statuses, party_id) -> bool:
    return 200 in (statuses.get(f"/p/{party_id}"), statuses.get(f"/p/{party_id}/"))


def test_every_user_crawls_own_pages_without_errors_or_foreign_data(site):
    """The crawl itself: each user reaches its parties' pages and only those, no 5xx, no foreign data."""
    for actor in site.restricted() + site.staff():
        reached = site.crawlers[actor.login].statuses
        for party_id in actor.visible:
            assert reached_home(reached, party_id), f"{actor.login} did not reach party {party_id}"
        led_astray = [url for url in reached if party_in(url) not in (None, *actor.visible)]
        assert not led_astray, f"{actor.login} was linked to {led_astray}"
    assert all(a.sees_all for a in site.staff()) and not any(a.sees_all for a in site.restricted())
    assert len(site.urls) >= 20, sorted(site.urls)
    assert not site.server_errors(), site.server_errors()
    assert not site.crawl_problems, report(site.crawl_problems)


def test_other_users_get_404_for_party_urls_and_see_nothing_of_the_party(site):
    """(a) Every URL anyone reached, requested by every user who does not see its party."""
    world, mark = site.world, site.mark()
    problems, foreign = [], {}
    for actor in site.restricted():
        browser = site.browsers[actor.login]
        check = site.leak_check(actor)
        for url in url_kinds(site.urls):
            response = browser.get(url, status="*", expect_errors=True)
            check(url, response)
            party = party_in(url)
            if response.status_int >= 500:
                problems.append(f"{actor.login}: {url} answered {response.status}")
            elif party is not None and party not in actor.visible:
                foreign[actor.login] = foreign.get(actor.login, 0) + 1
                if response.status_int != 404:
                    problems.append(f"{actor.login}: {url} of party {party} answered {response.status}, not 404"
                                    f" (reached by {', '.join(sorted(site.urls[url]))})")
        # POST actions in another party's space: even this user's valid token changes nothing.
        token = csrf_token_of(browser)
        for form in site.post_forms.values():
            party = party_in(form.action)
            if party is None or party in actor.visible:
                continue
            before = world.snapshot()
            response = browser.post(form.action, form.pairs(csrf_token=token), status="*", expect_errors=True)
            check(form.action, response)
            if response.status_int != 404:
                problems.append(f"{actor.login}: POST {form.action} answered {response.status}, not 404")
            if world.snapshot() != before:
                problems.append(f"{actor.login}: POST {form.action} of another party changed the database")
    # Not vacuous: every restricted user tried URLs of parties it does not see.
    assert all(foreign.get(a.login) for a in site.restricted()), foreign
    assert not site.since(mark) + problems, report(site.since(mark) + problems)


def test_anonymous_visitors_are_sent_to_login(site):
    """(b) Without a login every URL but the public ones redirects to /login or is not found."""
    world, mark = site.world, site.mark()
    public = Crawler(world.browser(None), check=site.leak_check(None))
    public_urls = public.crawl(START_URLS + ("/login",))
    login_forms = [f for f in public.post_forms if f.name == "login"]
    assert login_forms, "the anonymous crawl found no login form"
    problems, checked = [], 0
    for url in url_kinds(set(site.urls) - public_urls):
        response = public.fetch(url)
        checked += 1
        if not (is_login_redirect(response) or response.status_int == 404):
            problems.append(f"anonymous: {url} answered {response.status} {response.location or ''}")
    public_actions = {f.action for f in public.post_forms}
    token = dict(login_forms[0].pairs())["csrf_token"]  # the anonymous session's own valid token
    for form in site.post_forms.values():
        if form.action in public_actions:
            continue
        before = world.snapshot()
        response = public.fetch(form.action, "POST", params=form.pairs(csrf_token=token))
        if not (is_login_redirect(response) or response.status_int == 404):
            problems.append(f"anonymous: POST {form.action} answered {response.status}")
        if world.snapshot() != before:
            problems.append(f"anonymous: POST {form.action} changed the database")
    assert checked >= 10, checked
    assert not public.server_errors, public.server_errors
    assert not site.since(mark) + problems, report(site.since(mark) + problems)


def neighbours(url: str, odd=ODD_IDS, changes=ID_CHANGES):
    """``url`` with one numeric path segment at a time moved to a neighbouring or odd id."""
    path, _, query = url.partition("?")
    suffix = "?" + query if query else ""
    for match in NUMERIC_SEGMENT.finditer(path):
        value = int(match.group(0))
        for new in [str(value + d) for d in changes if value + d >= 0] + list(odd):
            yield path[: match.start()] + new + path[match.end():] + suffix


def test_neighbouring_ids_are_not_found_or_show_only_own_data(site):
    """(c) Every numeric id in a user's URLs moved by ±1 (and to 0)."""
    problems, tried, refused, mark = [], 0, 0, site.mark()
    for actor in site.restricted():
        browser = site.browsers[actor.login]
        check = site.leak_check(actor)
        seen = set(site.crawlers[actor.login].statuses)
        for url in url_kinds(seen):
            for changed in neighbours(url):
                if changed in seen:
                    continue
                seen.add(changed)
                response = browser.get(changed, status="*", expect_errors=True)
                tried += 1
                check(changed, response)
                party = party_in(changed)
                if response.status_int >= 500:
                    problems.append(f"{actor.login}: {changed} answered {response.status}")
                elif party is not None and party not in actor.visible:
                    refused += 1
                    if response.status_int != 404:
                        problems.append(
                            f"{actor.login}: {changed} (party {party} not theirs) answered {response.status}"
                        )
    assert tried >= 20 and refused >= 10, (tried, refused)  # not vacuous
    assert not site.since(mark) + problems, report(site.since(mark) + problems)


def test_crawler_follows_links_redirects_and_get_forms_but_never_posts(site):
    """The helper itself, so a crawl that silently finds nothing cannot pass the tests above."""
    world = site.world
    actor = world.actors["holding"]
    crawler = Crawler(world.browser(actor))
    before = world.snapshot()
    urls = crawler.crawl(["/"])
    assert crawler.statuses["/"] == 303  # the landing redirect was followed
    paths = {path_of(u).rstrip("/") for u in urls}
    assert {"/p", "/account", "/account/password"} <= paths
    assert all(reached_home(crawler.statuses, p) for p in actor.visible)
    assert any(path_of(u).rstrip("/") == "/p" and "q=" in u for u in urls), "GET search form not submitted"
    assert {"logout", "language", "password"} <= {f.name for f in crawler.post_forms}
    assert all(f.has_csrf_field for f in crawler.post_forms)
    assert world.snapshot() == before  # nothing was posted: still logged in, nothing changed
    assert len(Crawler(world.browser(actor), max_urls=3).crawl(["/"])) == 3



def test_leak_oracle_tells_own_strings_from_foreign_ones(site):
    """The oracle itself: a foreign party's strings are found, one's own (and their prefixes) are not."""
    world = site.world
    energo, sever = world.parties["DEMO-SEVER-ENERGO"], world.parties["DEMO-SEVER"]
    visible = frozenset({energo.id})
    own = f"{energo.name} {energo.tax_id} DEMO-SEVER-ENERGO {energo.address}"
    assert world.secrets.leaks(own, visible) == []
    assert world.secrets.leaks(own + f" <td>{sever.name}</td> DEMO-SEVER.", visible) == sorted(
        [sever.name, "DEMO-SEVER"])
    assert world.secrets.leaks("Z-2025/500", visible) == ["Z-2025/500"]
    assert world.secrets.leaks("Z-2025/5000", visible) == []  # word boundaries
    assert world.secrets.leaks("Z-2025/500", world.all_party_ids) == []
