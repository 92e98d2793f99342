"""A small same-site crawler over a WebTest app, for the security tests.

``Crawler(testapp).crawl(["/"])`` follows every same-site ``<a href>`` and
redirect, submits GET forms with their default values and records POST forms
(never submits them), and returns the set of URLs it fetched. Pages that
modules add later are reached the same way a person would reach them, so the
tests built on it need no change when the portal grows.

URLs are kept as ``path?query`` with the query's pairs sorted, so one page
reached through two spellings is fetched once.
"""
from __future__ import annotations

import re
from collections import Counter, deque
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

SITE = "http://localhost"
SITE_HOSTS = {"", "localhost", "localhost:80"}
SKIP_PREFIXES = ("/static/",)
# Input types a person types into; hidden fields travel too (ids, "next" ...).
TEXT_KINDS = {
    "text", "search", "email", "tel", "url", "number", "date", "datetime-local",
    "month", "week", "time", "password", "hidden", "textarea", "select", "radio",
    "color", "range",
}
SUBMIT_KINDS = {"submit", "image"}
CSRF_FIELD = "csrf_token"
NUMERIC_SEGMENT = re.compile(r"(?<=/)\d+(?=/|$)")
KIND_VALUE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]{0,40}$")  # "assign", "password", "UTF-8"


class ServerError(AssertionError):
    """A 5xx answer (or an exception no error view caught); known bugs are marked xfail on it."""


def same_site(href: str, base: str = "/") -> str | None:
    """``href`` resolved against ``base`` as a canonical ``path?query``, or None off-site."""
    if href is None:
        return None
    href = href.strip()
    if not href or href.startswith("#"):
        return None
    parts = urlsplit(urljoin(SITE + base, href))
    if parts.scheme not in ("http", "https") or parts.netloc not in SITE_HOSTS:
        return None
    return canonical(parts.path or "/", parts.query)


def canonical(path: str, query: str = "") -> str:
    pairs = sorted(parse_qsl(query, keep_blank_values=True))
    return path + ("?" + urlencode(pairs) if pairs else "")


def path_of(url: str) -> str:
    return url.split("?", 1)[0]


def url_kinds(urls) -> list[str]:
    """One URL per path and set of query keys: ``?sort=name`` stands for ``?sort=-tax_id``."""
    chosen = {}
    for url in sorted(urls):
        path, _, query = url.partition("?")
        chosen.setdefault((path, frozenset(k for k, _ in parse_qsl(query, keep_blank_values=True))), url)
    return sorted(chosen.values())


def shape_of(path: str) -> str:
    """The path with every numeric segment replaced: one shape per kind of page."""
    return NUMERIC_SEGMENT.sub("{id}", path)


@dataclass
class Field:
    """One successful control of a form, as a browser would send it by default."""

    name: str
    value: str
    kind: str  # input type, or "textarea", "select", "file"


@dataclass
class Form:
    """A form found on a page; ``action`` is a canonical same-site URL."""

    page: str
    method: str
    action: str
    id: str | None
    enctype: str
    fields: list[Field] = field(default_factory=list)
    submit: tuple[str, str] | None = None

    @property
    def key(self):
        """Two forms with the same key send the same request (by default)."""
        return (self.method, self.action, self.id,
                tuple((f.name, f.value if f.kind == "hidden" and f.name != CSRF_FIELD else "") for f in self.fields))

    @property
    def shape(self):
        """Forms of one kind on different records (``/users/5/block``, ``/users/6/block``).

        Hidden values that name an action (``transition=assign``) tell kinds
        apart; ids, versions and paths (``next=/p/4``) do not.
        """
        names = tuple(sorted(
            (f.name, f.value if f.kind == "hidden" and f.name != CSRF_FIELD and KIND_VALUE.match(f.value) else "")
            for f in self.fields
        ))
        return (self.method, shape_of(path_of(self.action)), self.id, names)

    @property
    def name(self) -> str:
        """The last segment of the action: ``login``, ``logout``, ``set-password`` ..."""
        segments = [s for s in path_of(self.action).split("/") if s]
        return segments[-1] if segments else ""

    @property
    def has_csrf_field(self) -> bool:
        return any(f.name == CSRF_FIELD for f in self.fields)

    @property
    def fuzzable(self) -> list[Field]:
        """The fields a person (or an attacker) controls: everything but the CSRF token."""
        return [f for f in self.fields if f.name != CSRF_FIELD and f.kind in TEXT_KINDS]

    @property
    def files(self) -> list[Field]:
        return [f for f in self.fields if f.kind == "file"]

    def pairs(self, overrides=None, *, csrf=True, csrf_token=None) -> list[tuple[str, str]]:
        """Name/value pairs as a browser would send them, with some values replaced.

        ``csrf=False`` leaves the CSRF token out; ``csrf_token`` replaces its value.
        """
        overrides = overrides or {}
        pairs, done = [], set()
        for f in self.fields:
            if f.kind == "file":
                continue
            if f.name == CSRF_FIELD:
                if csrf:
                    pairs.append((f.name, csrf_token if csrf_token is not None else f.value))
                continue
            if f.name in overrides:
                if f.name not in done:  # one value for a replaced radio group / multi-select
                    pairs.append((f.name, overrides[f.name]))
                    done.add(f.name)
                continue
            pairs.append((f.name, f.value))
        if self.submit is not None:
            pairs.append(self.submit)
        return pairs

    def get_url(self, overrides=None) -> str:
        """The URL a browser requests for a GET form (the action's own query is replaced)."""
        return path_of(self.action) + "?" + urlencode(self.pairs(overrides))


def parse_form(node, page: str) -> Form | None:
    action = same_site(node.get("action") or page, page)
    if action is None:
        return None
    method = (node.get("method") or "get").upper()
    form = Form(
        page=page,
        method=method if method in ("GET", "POST") else "GET",
        action=action,
        id=node.get("id"),
        enctype=(node.get("enctype") or "application/x-www-form-urlencoded").lower(),
    )
    for control in node.find_all(["input", "textarea", "select", "button"]):
        name = control.get("name")
        if control.has_attr("disabled"):
            continue
        kind = (control.get("type") or ("submit" if control.name == "button" else "text")).lower()
        if control.name == "button" or (control.name == "input" and kind in SUBMIT_KINDS | {"button", "reset"}):
            if kind in SUBMIT_KINDS and name and form.submit is None:
                form.submit = (name, control.get("value", ""))
            continue
        if not name:
            continue
        if control.name == "textarea":
            form.fields.append(Field(name, control.text, "textarea"))
        elif control.name == "select":
            options = control.find_all("option")
            chosen = [o for o in options if o.has_attr("selected")] or options[:1]
            if not control.has_attr("multiple"):
                chosen = chosen[:1]
            for option in chosen:
                value = option.get("value")
                form.fields.append(Field(name, option.text if value is None else value, "select"))
        else:
            if kind in ("checkbox", "radio") and not control.has_attr("checked"):
                continue
            value = control.get("value", "on" if kind in ("checkbox", "radio") else "")
            form.fields.append(Field(name, value, kind))
    return form


def is_html(response) -> bool:
    return response.content_type == "text/html"


class Crawler:
    """Breadth-first walk of the pages one WebTest app (one logged-in user) can reach.

    ``check(url, response)``, if given, sees every response; ``skip(url)`` keeps
    URLs out of the walk (static files and anything named ``logout`` always are);
    ``server_errors`` lists every 5xx (or exception) met; ``forms`` every distinct
    form seen; ``statuses`` the answer to every URL fetched.
    """

    def __init__(self, testapp, *, max_urls=500, max_variants=4, skip_prefixes=SKIP_PREFIXES, check=None,
                 skip=None):
        self.app = testapp
        self.skip = skip  # a predicate on URLs not to fetch
        self.max_urls = max_urls
        self.max_variants = max_variants  # query-string variants of one path (sort, page ...)
        self.skip_prefixes = tuple(skip_prefixes)
        self.check = check
        self.statuses: dict[str, int] = {}
        self.forms: list[Form] = []
        self.server_errors: list[tuple[str, str]] = []
        self._form_keys: set = set()
        self._variants: Counter = Counter()

    # --- fetching ------------------------------------------------------------
    def fetch(self, url: str, method: str = "GET", **kw):
        """One request, any status; a 5xx is recorded, an exception recorded and re-raised."""
        try:
            if method == "GET":
                response = self.app.get(url, status="*", expect_errors=True, **kw)
            else:
                response = self.app.post(url, status="*", expect_errors=True, **kw)
        except Exception as exc:  # an error that escaped every error view
            self.server_errors.append((f"{method} {url}", repr(exc)))
            raise
        if response.status_int >= 500:
            self.server_errors.append((f"{method} {url}", response.status))
        if self.check is not None:
            self.check(url, response)
        return response

    # --- walking -------------------------------------------------------------
    def wanted(self, url: str | None) -> bool:
        if url is None or url in self.statuses:
            return False
        path = path_of(url)
        if path.startswith(self.skip_prefixes) or path.rstrip("/").endswith("/logout"):
            return False
        if self.skip is not None and self.skip(url):
            return False
        if "?" in url and self._variants[path] >= self.max_variants:
            return False
        return True

    def crawl(self, start_urls) -> set[str]:
        """Fetch everything reachable from ``start_urls``; the URLs fetched."""
        queue = deque(same_site(u) for u in start_urls)
        while queue and len(self.statuses) < self.max_urls:
            url = queue.popleft()
            if not self.wanted(url):
                continue
            if "?" in url:
                self._variants[path_of(url)] += 1
            response = self.fetch(url)
            self.statuses[url] = response.status_int
            queue.extend(self.links(url, response))
        return set(self.statuses)

    def links(self, url: str, response) -> list[str]:
        """Where a person can go from this response: redirect, links, GET forms."""
        found = []
        if 300 <= response.status_int < 400 and response.location:
            found.append(same_site(response.location, url))
        if not is_html(response) or not response.body:
            return [u for u in found if u]
        html = response.html
        for a in html.find_all("a", href=True):
            href = a["href"]
            if href.lower().startswith(("mailto:", "tel:", "javascript:", "data:")):
                continue
            found.append(same_site(href, url))
        for node in html.find_all("form"):
            form = parse_form(node, url)
            if form is None:
                continue
            if form.key not in self._form_keys:
                self._form_keys.add(form.key)
                self.forms.append(form)
            if form.method == "GET":
                found.append(same_site(form.get_url(), url))
        return [u for u in found if u]

    # --- what was found ------------------------------------------------------
    @property
    def post_forms(self) -> list[Form]:
        return [f for f in self.forms if f.method == "POST"]

    @property
    def get_forms(self) -> list[Form]:
        return [f for f in self.forms if f.method == "GET"]

    @property
    def post_actions(self) -> set[str]:
        return {f.action for f in self.post_forms}
