"""Every form the crawl reaches, attacked: forged requests and hostile values.

Staff (an admin and a back-office clerk made with the factories), a customer
of two parties and an anonymous visitor each crawl the portal; every POST form
they find must refuse a request without its CSRF token, with a wrong one and
with another session's, and change nothing. Every form but login, logout and
the language switch is then sent with hostile values, field by field and all
fields at once: the answer is never a 5xx and never echoes markup unescaped,
neither on the page a redirect leads to nor anywhere on a crawl made afterwards
(stored values). A body that is not UTF-8 is refused and changes nothing.
"""
from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest

from .conftest import snapshot_diff
from .crawler import Crawler, Form, is_html, parse_form, path_of, same_site, shape_of
from .test_crawler import is_login_redirect, report

PAYLOADS = (
    "x" * 10_000,
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "-1",
    str(10**30),
    "0000-00-00",
    "9999-99-99",
)
# What must never come back as it was sent: it would run in the user's browser.
RAW_MARKUP = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>")
# Forms whose values the hostile test leaves alone (login is covered by tests/functional).
NOT_FUZZED = {"login", "logout", "language"}
# deform's own bookkeeping fields: deform reads them before any view does.
NOT_FUZZED_FIELDS = {"_charset_", "__formid__", "__start__", "__end__"}
UNDECODABLE = b"%ff%fe"

# (form name, field, payload) the generic test leaves out because a known, open bug
# answers it with a 5xx; test_out_of_range_ids.py holds the tests of fixed ones.
KNOWN_BUGS: dict = {}

ACTORS = ("anonymous", "holding", "sec-backoffice", "sec-admin")


class FormSession:
    """One actor's browser, its crawl, and the means to submit a form as found now."""

    def __init__(self, world, name):
        self.world = world
        if name.startswith("sec-"):
            world.add_staff(name.removeprefix("sec-"), name)
        self.actor = world.actors.get(name)
        self.name = name
        self.browser = world.browser(self.actor)
        self.start = ("/",) if self.actor else ("/", "/login")
        self.crawler = Crawler(self.browser)
        self.crawler.crawl(self.start)
        self.problems: list[str] = []

    def targets_self(self, form: Form) -> bool:
        """Forms on the acting user's own admin page (block, set password) are left alone."""
        if self.actor is None:
            return False
        own = re.compile(rf"/users/{self.actor.user_id}(?:/|$)")
        return bool(own.search(path_of(form.action)) or own.search(path_of(form.page)))

    def representatives(self, forms) -> list[Form]:
        """One form of each kind (``/users/5/block`` stands for every user's block form).

        GET forms of one action are one kind: the one with the most fields stands for it.
        """
        chosen = {}
        for form in sorted(forms, key=lambda f: -len(f.fields)):
            if self.targets_self(form):
                continue
            kind = (form.method, shape_of(path_of(form.action))) if form.method == "GET" else form.shape
            chosen.setdefault(kind, form)
        return list(chosen.values())

    def current(self, form: Form) -> Form | None:
        """The form as its page shows it now (fresh token and values); logs in again if needed."""
        page = self.browser.get(form.page, status="*", expect_errors=True)
        if is_login_redirect(page) and self.actor is not None:
            self.world.relogin(self.browser, self.actor)
            page = self.browser.get(form.page, status="*", expect_errors=True)
        if not is_html(page):
            return None
        for node in page.html.find_all("form"):
            found = parse_form(node, form.page)
            if found is not None and found.shape == form.shape:
                return found
        return None

    def submit(self, form: Form, pairs, *, file_content=b"x"):
        """Send ``pairs`` as a browser would send this form."""
        if form.method == "GET":
            return self.browser.get(path_of(form.action) + "?" + urlencode(pairs), status="*", expect_errors=True)
        files = [(f.name, "upload.txt", file_content) for f in form.files]
        if files or form.enctype == "multipart/form-data":
            return self.browser.post(form.action, pairs, upload_files=files or None,
                                     content_type="multipart/form-data", status="*", expect_errors=True)
        return self.browser.post(form.action, pairs, status="*", expect_errors=True)

    def check(self, what: str, response, *, follow=True):
        """No 5xx, no unescaped markup, no redirect off the site; follows a redirect once."""
        if response.status_int >= 500:
            self.problems.append(f"{self.name}: {what} answered {response.status}")
        if is_html(response):
            for raw in RAW_MARKUP:
                if raw in response.text:
                    self.problems.append(f"{self.name}: {what} echoes {raw!r} unescaped")
        if 300 <= response.status_int < 400 and response.location:
            target = same_site(response.location)
            if target is None:
                self.problems.append(f"{self.name}: {what} redirects off the site to {response.location}")
            elif follow:
                self.check(f"{what} -> {target}", self.browser.get(target, status="*", expect_errors=True))


@pytest.fixture(scope="module", params=ACTORS)
def form_session(request, module_world):
    """One crawl per actor for the module; the tests of one actor run one after the other."""
    return FormSession(module_world, request.param)


def is_error_page(response) -> bool:
    """The portal's error page (not the form shown again with validation messages)."""
    return is_html(response) and response.html.select_one(".error-page") is not None


def other_sessions_token(world) -> str:
    page = world.browser(None).get("/login")
    return page.html.find("input", attrs={"name": "csrf_token"})["value"]


def test_post_forms_refuse_a_missing_or_wrong_csrf_token(form_session):
    session, world = form_session, form_session.world
    forms = session.representatives(session.crawler.post_forms)
    assert "language" in {f.name for f in forms}, "the crawl found too few forms"
    stolen = other_sessions_token(world)
    problems = []
    for form in forms:
        if not form.has_csrf_field:
            problems.append(f"{session.name}: the form posting to {form.action} on {form.page} has no csrf_token")
        for label, pairs in (
            ("without a token", form.pairs(csrf=False)),
            ("with a wrong token", form.pairs(csrf_token="0" * 32)),
            ("with another session's token", form.pairs(csrf_token=stolen)),
        ):
            before, counts = world.snapshot(), world.counts()
            response = session.submit(form, pairs)
            if response.status_int != 400 or not is_error_page(response):
                problems.append(f"{session.name}: POST {form.action} {label} answered {response.status}")
            after = world.snapshot()
            if after != before or world.counts() != counts:
                problems.append(f"{session.name}: POST {form.action} {label} changed {snapshot_diff(before, after)}")
    if session.actor is not None:  # still logged in: a logout without a token did nothing
        assert session.browser.get("/account/").status_int == 200
    assert not problems, report(problems)


def test_post_forms_refuse_undecodable_bodies(form_session):
    session, world = form_session, form_session.world
    session.problems.clear()
    forms = session.representatives(session.crawler.post_forms)
    assert forms
    problems = []
    for form in forms:
        fields = [f.name for f in form.fuzzable] or ["comment"]
        target = fields[0]
        body = (urlencode([(k, v) for k, v in form.pairs() if k != target]).encode()
                + b"&" + target.encode() + b"=" + UNDECODABLE)
        before = world.snapshot()
        response = session.browser.post(form.action, body, content_type="application/x-www-form-urlencoded",
                                        status="*", expect_errors=True)
        session.check(f"POST {form.action} with {target}=%ff%fe", response)
        if response.status_int != 400:
            problems.append(f"{session.name}: POST {form.action} with {target}=%ff%fe answered {response.status}")
        after = world.snapshot()
        if after != before:
            problems.append(f"{session.name}: POST {form.action} with %ff%fe changed {snapshot_diff(before, after)}")
    for form in session.representatives(session.crawler.get_forms):
        for name in dict.fromkeys(f.name for f in form.fuzzable):
            url = path_of(form.action) + "?" + name + "=" + UNDECODABLE.decode()
            session.check(f"GET {url}", session.browser.get(url, status="*", expect_errors=True))
    assert not problems + session.problems, report(problems + session.problems)


def is_download(url: str) -> bool:
    """``export.xlsx``, ``act.pdf``: files, not pages that could run a script."""
    return bool(re.search(r"\.[a-z0-9]{2,5}$", path_of(url)))


def hostile_variants(form: Form):
    """Each field in turn with each payload, then every field at once; known bugs left out.

    A GET form (a filter, a search) changes nothing, so each of its fields gets
    only the markup in turn; every payload still reaches every field at once.
    """
    names = [n for n in dict.fromkeys(f.name for f in form.fuzzable) if n not in NOT_FUZZED_FIELDS]
    in_turn = PAYLOADS if form.method == "POST" else PAYLOADS[1:3]
    variants = [{name: p} for name in names for p in in_turn]
    variants += [dict.fromkeys(names, p) for p in PAYLOADS]
    for overrides in variants:
        overrides = {k: v for k, v in overrides.items() if (form.name, k, v) not in KNOWN_BUGS}
        if overrides:
            yield overrides


def test_forms_survive_hostile_values(form_session):
    session, world = form_session, form_session.world
    session.problems.clear()
    forms = [
        f for f in session.representatives(session.crawler.forms)
        if f.name not in NOT_FUZZED and f.fuzzable
    ]
    if session.actor is None and not forms:
        pytest.skip("an anonymous visitor has no form but login and language (left to other tests)")
    assert forms, f"{session.name} reached no form to attack"
    submitted = 0
    for form in forms:
        current = session.current(form)
        for overrides in hostile_variants(form):
            if current is None:  # the page no longer offers it (its state changed): nothing to send
                break
            payload = next(iter(overrides.values()))
            response = session.submit(current, current.pairs(overrides), file_content=payload.encode())
            submitted += 1
            shown = {k: (v[:20] + "...") if len(v) > 20 else v for k, v in overrides.items()}
            session.check(f"{current.method} {current.action} {shown}", response)
            if current.method == "POST" and 300 <= response.status_int < 400:
                current = session.current(form)  # something happened: take the form as it is now
    # An anonymous visitor has one form to attack: forgot password, one field (14 variants).
    assert submitted >= (20 if session.actor is not None else 14), submitted
    if submitted:
        # Stored values must not come back raw either: crawl the pages again, as the actor
        # and, unless it sees every party anyway, as a new admin (the fuzzing may have set
        # the passwords of the others).
        browsers = [(session.name, session.browser)]
        if session.actor is not None:
            world.relogin(session.browser, session.actor)
        if session.actor is None or not session.actor.sees_all:
            browsers.append(("auditor", world.browser(world.add_staff("admin", f"sec-auditor-{session.name}"))))
        for who, browser in browsers:
            Crawler(browser, max_variants=1, skip=is_download,
                    check=lambda url, r, who=who: session.check(f"GET {url} ({who}, after)", r, follow=False)
                    ).crawl(session.start)
    assert not session.problems, report(session.problems)

