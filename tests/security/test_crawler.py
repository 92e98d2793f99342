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
from sqlalchemy import select

from portal.api.demo import DEMO_WEBHOOK_URL
from portal.finance.models import Invoice

from .crawler import NUMERIC_SEGMENT, Crawler, path_of, shape_of, url_kinds
from .visibility import party_in

START_URLS = ("/",)
# Each numeric path segment is moved to its neighbours (and to 0); ids too big
# for the id columns are tried in test_out_of_range_ids.py.
ID_CHANGES = (+1, -1)
ODD_IDS = ("0",)


def inbox_probes(world) -> tuple:
    """``/messages/`` filtered by each party of the world, the user's own or not (a person picks
    theirs from the filter; anyone may type another's id): all of them answered without a trace of
    a party the user may not see, whatever the crawl reaches of the list by itself."""
    return tuple(f"/messages/?party={party.id}&show=all" for party in world.parties.values()) + (
        "/messages/export.xlsx?show=all",)


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
            for url in inbox_probes(world):  # past the crawl's limit of query variants per page
                crawler.statuses[url] = crawler.fetch(url).status_int
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


def test_every_party_spanning_user_reaches_all_its_conversations(site):
    """``/messages/`` (threads across parties, by party, exported) is crawled by those whose messages
    span parties: it showed none of them another party's threads (the crawl's leak check)."""
    for name in ("holding", "manager", "backoffice", "admin"):
        reached = site.crawlers[name].statuses
        inbox = {url: status for url, status in reached.items() if path_of(url) == "/messages/"}
        assert 200 in inbox.values(), f"{name} did not reach /messages/"
        assert any("party=" in url for url in inbox), f"{name} did not filter /messages/ by party"
        assert reached.get("/messages/export.xlsx?show=all") == 200
    holding = site.crawlers["holding"].statuses
    assert any(path_of(url).startswith("/p/") and "/messages/" in url for url in holding)
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
    public_urls = public.crawl(START_URLS + ("/login", "/api/v1/docs"))  # the API's reference is public
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


def test_documents_are_crawled_and_each_stays_with_those_it_is_shown_to(site):
    """The library is in the crawl (pages and files), and the oracle keeps every marker document to its
    audience: another party's, a party group's, staff-only, withdrawn, expired and not yet valid ones."""
    world = site.world
    zapad, vostok = world.parties["TEST-ZAPAD"], world.parties["DEMO-VOSTOK"]
    former, reached = world.actors["former"], site.crawlers["former"].statuses
    assert any(u.startswith(f"/p/{zapad.id}/documents/") and u.endswith("/download") and s == 200
               for u, s in reached.items()), sorted(reached)
    own = site.browsers["former"].get(f"/p/{zapad.id}/documents/?tag=marker")
    assert "MARKER-DOC-ZAPAD-ONLY" in own.text
    hidden = ("MARKER-DOC-STAFF-ONLY", "MARKER-DOC-WITHDRAWN", "MARKER-DOC-EXPIRED", "MARKER-DOC-NOT-YET")
    for actor in site.restricted():
        _allowed, forbidden = world.secrets.split(actor.visible, actor.user_id)
        assert set(hidden) <= forbidden, actor.login
        assert ("MARKER-DOC-ZAPAD-ONLY" in forbidden) == (zapad.id not in actor.visible), actor.login
        assert ("MARKER-DOC-GROUP-VOSTOK" in forbidden) == (vostok.id not in actor.visible), actor.login
        assert ("marker-zapad-only.pdf" in forbidden) == (zapad.id not in actor.visible), actor.login
    assert world.secrets.leaks("MARKER-DOC-GROUP-VOSTOK", former.visible) == ["MARKER-DOC-GROUP-VOSTOK"]


def test_the_crawl_covers_the_utility_and_its_markers(site):
    """Supply points, self-reading forms, readings, contract documents and the review queue are
    crawled, and the marker party's records are known to the oracle (so a leak would be caught)."""
    world = site.world
    zapad = world.parties["TEST-ZAPAD"]
    secrets = world.secrets.of_party(zapad.id)
    for marker in ("MARKER-SP-ZAPAD", "MARKER-METER-ZAPAD", "MARKER-READING-ZAPAD", "MARKER-REASON-ZAPAD",
                   "marker-zapad-contract.pdf"):
        assert any(marker in s for s in secrets), marker
    energo = world.parties["DEMO-SEVER-ENERGO"].id
    reached = {shape_of(path_of(u)) for u in site.crawlers["energo"].statuses}
    assert {"/p/{id}/supply-points/", "/p/{id}/supply-points/{id}/", "/p/{id}/supply-points/{id}/readings/new",
            "/p/{id}/supply-points/{id}/contract", "/p/{id}/readings/", "/p/{id}/readings/{id}/"} <= reached
    assert any(u.startswith(f"/p/{energo}/supply-points/") for u in site.crawlers["energo"].statuses)
    staff_reached = set(site.crawlers["backoffice"].statuses)
    assert "/readings/" in staff_reached
    assert any(path_of(u).startswith(f"/p/{zapad.id}/readings/") for u in staff_reached)
    assert any(f.name == "new" and "/readings/new" in f.action for f in site.crawlers["energo"].post_forms)


def test_finance_pages_are_crawled_and_each_party_sees_only_its_money(site):
    """Invoices (list, page, PDF, ZIP, export), payments and the statement (page, PDF, XLSX) are in the
    crawl of the users who may see them; the checks above found none of another party's numbers, lines
    or purposes there, in PDFs and ZIP members included; the oracle knows the markers as foreign."""
    world = site.world
    zapad = world.parties["TEST-ZAPAD"]
    reached = site.crawlers["former"].statuses
    own = f"/p/{zapad.id}/"
    wanted = {
        "list": lambda u: path_of(u) == own + "invoices/",
        "page": lambda u: shape_of(path_of(u)) == "/p/{id}/invoices/{id}/",
        "pdf": lambda u: shape_of(path_of(u)) == "/p/{id}/invoices/{id}/pdf",
        "zip": lambda u: path_of(u) == own + "invoices/zip" and "id=" in u,
        "export": lambda u: path_of(u) == own + "invoices/export.xlsx",
        "payments": lambda u: shape_of(path_of(u)) == "/p/{id}/payments/{id}/",
        "statement": lambda u: path_of(u) == own + "statement",
        "statement pdf": lambda u: path_of(u) == own + "statement" and "format=pdf" in u,
        "statement xlsx": lambda u: path_of(u) == own + "statement" and "format=xlsx" in u,
    }
    for kind, match in wanted.items():
        assert any(match(u) and s == 200 for u, s in reached.items()), (kind, sorted(reached))
    zip_url = next(u for u in reached if wanted["zip"](u))
    assert "MARKER-INV-ZAPAD" in site.browsers["former"].get(zip_url).body.decode("latin-1")  # the name of its member
    for actor in site.restricted():
        _allowed, forbidden = world.secrets.split(actor.visible, actor.user_id)
        for marker in ("MARKER-INV-ZAPAD", "MARKER-LINE-ZAPAD heat supply", "MARKER-PURPOSE-ZAPAD"):
            assert (marker in forbidden) == (zapad.id not in actor.visible), (actor.login, marker)
    energo = world.parties["DEMO-SEVER-ENERGO"]
    holding = site.crawlers["holding"].statuses
    assert any(shape_of(path_of(u)) == "/p/{id}/invoices/{id}/pdf" and u.startswith(f"/p/{energo.id}/")
               for u in holding)
    assert not site.crawl_problems, report(site.crawl_problems)


def test_advance_schedules_are_crawled_and_each_party_sees_only_its_own(site):
    """The advance schedules (list, page, PDF, export) are in the crawl of the users who may see them;
    the checks above found none of another party's schedule numbers there, in PDFs and exports
    included; the oracle knows the marker party's schedule as foreign to everyone else."""
    world = site.world
    zapad = world.parties["TEST-ZAPAD"]
    own = f"/p/{zapad.id}/"
    reached = site.crawlers["former"].statuses
    wanted = {
        "list": lambda u: path_of(u) == own + "advances/",
        "page": lambda u: shape_of(path_of(u)) == "/p/{id}/advances/{id}/" and u.startswith(own),
        "pdf": lambda u: shape_of(path_of(u)) == "/p/{id}/advances/{id}/pdf" and u.startswith(own),
        "export": lambda u: path_of(u) == own + "advances/export.xlsx",
    }
    for kind, match in wanted.items():
        assert any(match(u) and s == 200 for u, s in reached.items()), (kind, sorted(reached))
    pdf_url = next(u for u in reached if wanted["pdf"](u))
    assert "MARKER-ADV-ZAPAD" in site.browsers["former"].get(pdf_url).headers["Content-Disposition"]
    for actor in site.restricted():
        _allowed, forbidden = world.secrets.split(actor.visible, actor.user_id)
        assert ("MARKER-ADV-ZAPAD" in forbidden) == (zapad.id not in actor.visible), actor.login
    trans = world.parties["DEMO-SEVER-TRANS"]
    assert any(shape_of(path_of(u)) == "/p/{id}/advances/{id}/pdf" and u.startswith(f"/p/{trans.id}/")
               for u in site.crawlers["trans"].statuses)
    assert not site.crawl_problems, report(site.crawl_problems)


def test_price_lists_are_crawled_and_each_stays_with_those_it_is_meant_for(site):
    """Price lists (list, page, PDF, exports) are in the crawl; the checks above found none meant for
    others there, and the oracle keeps each marker list to its audience: a party's, a customer group's,
    one not yet valid (nobody's), and the demo's list for Sever Energo alone."""
    world = site.world
    zapad, vostok, energo = (world.parties[e] for e in ("TEST-ZAPAD", "DEMO-VOSTOK", "DEMO-SEVER-ENERGO"))
    own = f"/p/{zapad.id}/"
    reached = site.crawlers["former"].statuses
    wanted = {
        "list": lambda u: path_of(u) == own + "price-lists/",
        "page": lambda u: shape_of(path_of(u)) == "/p/{id}/price-lists/{id}/" and u.startswith(own),
        "pdf": lambda u: shape_of(path_of(u)) == "/p/{id}/price-lists/{id}/pdf" and u.startswith(own),
        "items export": lambda u: shape_of(path_of(u)) == "/p/{id}/price-lists/{id}/export.xlsx" and u.startswith(own),
        "export": lambda u: path_of(u) == own + "price-lists/export.xlsx",
    }
    for kind, match in wanted.items():
        assert any(match(u) and s == 200 for u, s in reached.items()), (kind, sorted(reached))
    assert "MARKER-PRICE-LIST-ZAPAD" in site.browsers["former"].get(own + "price-lists/").text
    energo_list = "Тарифы на сетевые услуги для «Север Энерго»"
    for actor in site.restricted():
        _allowed, forbidden = world.secrets.split(actor.visible, actor.user_id)
        assert {"MARKER-PRICE-LIST-NOT-YET", "MARKER-PRICE-ITEM-NOT-YET"} <= forbidden, actor.login
        for marker in ("MARKER-PRICE-LIST-ZAPAD", "MARKER-PRICE-ITEM-ZAPAD heat metering"):
            assert (marker in forbidden) == (zapad.id not in actor.visible), (actor.login, marker)
        assert ("MARKER-PRICE-LIST-GROUP-VOSTOK" in forbidden) == (vostok.id not in actor.visible), actor.login
        assert (energo_list in forbidden) == (energo.id not in actor.visible), actor.login
    assert any(shape_of(path_of(u)) == "/p/{id}/price-lists/{id}/pdf" and u.startswith(f"/p/{energo.id}/")
               for u in site.crawlers["energo"].statuses)
    assert not site.crawl_problems, report(site.crawl_problems)


def test_account_info_is_crawled_for_every_party_a_user_sees(site):
    """``/p/<id>/account-info`` (a party's billing, contact and bank data) is reached from the party home
    by everyone who sees the party, so the checks above request it as every other user too; the oracle
    knows its bank account and invoice e-mail as foreign to anyone who does not see the party."""
    world = site.world
    for actor in site.restricted() + site.staff():
        reached = site.crawlers[actor.login].statuses
        for party_id in actor.visible:
            assert reached.get(f"/p/{party_id}/account-info") == 200, (actor.login, party_id)
    vostok = world.parties["DEMO-VOSTOK"]
    assert vostok.bank_account and vostok.invoice_email  # the demo gives the party its master data
    for actor in site.restricted():
        _allowed, forbidden = world.secrets.split(actor.visible, actor.user_id)
        for secret in (vostok.bank_account, vostok.invoice_email, vostok.bank_name):
            assert (secret in forbidden) == (vostok.id not in actor.visible), (actor.login, secret)
    assert not site.crawl_problems, report(site.crawl_problems)


def test_the_webhooks_page_is_crawled_by_admins_only(site):
    """The demo webhook and its deliveries are on the admin's crawl (its forms fuzzed by test_forms);
    nobody else is linked there, nor let in."""
    assert site.crawlers["admin"].statuses.get("/admin/integration/webhooks/") == 200
    assert DEMO_WEBHOOK_URL in site.browsers["admin"].get("/admin/integration/webhooks/").text
    for actor in site.restricted() + [site.world.actors["backoffice"]]:
        assert not any(path_of(u).startswith("/admin/integration") for u in site.crawlers[actor.login].statuses)
        assert site.browsers[actor.login].get("/admin/integration/webhooks/", status="*").status_int in (403, 404)


def test_a_blocked_party_is_nobodys_among_its_members_and_badged_for_staff(site):
    """``former`` is an active member of the blocked party: its crawl never reached the party, every URL
    of it staff reached answered ``former`` 404 (the checks above), and the oracle knows its markers as
    foreign to every customer; staff reached it, its directory row and home badged "blocked"."""
    world = site.world
    blocked = world.parties["TEST-BLOCKED"]
    own = f"/p/{blocked.id}/"
    assert not any(u.startswith(own) or path_of(u) == own.rstrip("/") for u in site.crawlers["former"].statuses)
    assert site.browsers["former"].get(own, status="*").status_int == 404
    for actor in site.restricted():
        assert blocked.id not in actor.visible, actor.login
        _allowed, forbidden = world.secrets.split(actor.visible, actor.user_id)
        assert {"MARKER-INV-BLOCKED", "Zakryto Teplo", "B-2025/700"} <= forbidden, actor.login
    for actor in site.staff():
        assert reached_home(site.crawlers[actor.login].statuses, blocked.id), actor.login
        assert site.browsers[actor.login].get(own).html.select_one("h1 .badge-blocked") is not None
    assert site.browsers["former"].get(own + "invoices/", status="*").status_int == 404
    assert not site.crawl_problems, report(site.crawl_problems)


def test_an_operations_member_reaches_none_of_its_partys_money(site):
    """The demo's holding user acts for Sever Trans in operations only: its crawl reached Sever Trans's
    home and requests but no invoice, payment, statement or advance of it, and each of those that Sever
    Trans's own user reached answers the holding user 403, showing none of Sever Trans's invoice numbers."""
    world = site.world
    trans = world.parties["DEMO-SEVER-TRANS"]
    own = f"/p/{trans.id}/"
    money = ("invoices", "payments", "statement", "advances")
    holding = site.crawlers["holding"].statuses
    assert reached_home(holding, trans.id) and holding.get(own + "requests/") == 200
    assert not [u for u in holding if u.startswith(own) and path_of(u)[len(own):].split("/")[0] in money
                and holding[u] == 200]
    numbers = set(world.db.scalars(select(Invoice.number).where(Invoice.party_id == trans.id)))
    assert numbers
    tried = 0
    for url in url_kinds(site.crawlers["trans"].statuses):
        if url.startswith(own) and path_of(url)[len(own):].split("/")[0] in money:
            response = site.browsers["holding"].get(url, status="*", expect_errors=True)
            tried += 1
            assert response.status_int == 403, (url, response.status)
            assert not [n for n in numbers if n in response.text], url
    assert tried >= 4, tried
    assert not site.crawl_problems, report(site.crawl_problems)


def test_registrations_are_crawled_by_the_back_office_and_shown_to_no_customer(site):
    """The back office's registrations (list, a request's page, export, the letter form) are in its crawl;
    a customer's own requests page too; the oracle keeps a registrant and what they typed from every
    customer but the one who typed it, and the checks above found none of it where it may not be."""
    world = site.world
    reached = site.crawlers["backoffice"].statuses
    wanted = {
        "list": lambda u: path_of(u) == "/backoffice/registrations/",
        "page": lambda u: shape_of(path_of(u)) == "/backoffice/registrations/{id}/",
        "export": lambda u: path_of(u) == "/backoffice/registrations/export.xlsx",
        "letter": lambda u: path_of(u) == "/backoffice/registrations/letter",
    }
    for kind, match in wanted.items():
        assert any(match(u) and s == 200 for u, s in reached.items()), (kind, sorted(reached))
    assert site.crawlers["trans"].statuses.get("/account/memberships") == 200
    trans = world.actors["trans"]
    for actor in site.restricted():
        _allowed, forbidden = world.secrets.split(actor.visible, actor.user_id)
        assert {"MARKER-REG-COMPANY", "MARKER-REG-NUMBER", "MARKER-REGISTRANT Waiting"} <= forbidden, actor.login
        assert ("DEMO-SEVER-ENERGO" in forbidden) == (actor is not trans and
                                                      world.parties["DEMO-SEVER-ENERGO"].id not in actor.visible)
    for url in (u for u in reached if path_of(u).startswith("/backoffice/registrations/")):
        response = site.browsers["energo"].get(url, status="*", expect_errors=True)
        assert response.status_int in (403, 404) and "MARKER-REGISTRANT" not in response.text, url
    assert not site.crawl_problems, report(site.crawl_problems)


def test_a_two_factor_secret_and_its_recovery_codes_are_never_shown(site):
    """``newcomer`` has two-factor on: the admin's crawl reached its user page, which says so, and neither
    that page, the user list, its export nor the audit log shows the TOTP secret or a recovery code's hash."""
    from portal.identity.models import RecoveryCode, User

    world = site.world
    user = world.db.scalars(select(User).where(User.login == "newcomer")).one()
    hashes = world.db.scalars(select(RecoveryCode.code_hash).where(RecoveryCode.user_id == user.id)).all()
    assert user.totp_secret and len(hashes) == 10
    page = f"/admin/users/{user.id}/"
    assert site.crawlers["admin"].statuses.get(page) == 200
    assert "Two-factor login" in site.browsers["admin"].get(page).text
    for url in (page, "/admin/users/", "/admin/users/export.xlsx", "/admin/audit"):
        body = site.browsers["admin"].get(url).body.decode("utf-8", "replace")
        assert user.totp_secret not in body, url
        assert not [h for h in hashes if h in body], url
