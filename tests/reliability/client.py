"""A small browser for the load tests: its own cookies, forms read from the page, a hard timeout.

http.client rather than WebTest, because the requests must cross a real socket to real worker
processes; one short-lived connection per request, so a request never inherits a socket that a
restart or a worker recycle broke.
"""
from __future__ import annotations

import http.client
import socket
import uuid
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import urlencode, urljoin, urlsplit


class TransportError(Exception):
    """No HTTP answer: refused, reset or timed out."""


@dataclass
class Response:
    url: str
    status: int
    location: str | None
    text: str


@dataclass
class Control:
    name: str
    value: str
    kind: str  # input type, "select", "textarea" or "button"


@dataclass
class Form:
    """One form of a page, its controls in document order (deform's peppercorn markers need it)."""

    id: str | None
    action: str
    multipart: bool
    controls: list[Control]

    def value(self, name: str) -> str | None:
        return next((c.value for c in self.controls if c.name == name), None)

    def fields(self, overrides: dict[str, str], button: str | None = None) -> list[tuple[str, str]]:
        """What a browser sends: every control but the unpressed buttons, with ``overrides`` filled in."""
        sent = []
        for c in self.controls:
            if c.kind in ("button", "submit") and c.name != button:
                continue
            sent.append((c.name, overrides.get(c.name, c.value)))
        return sent


class _FormParser(HTMLParser):
    def __init__(self, base):
        super().__init__(convert_charrefs=True)
        self.base = base
        self.forms: list[Form] = []
        self._form = None
        self._select = None  # [name, first option, selected option]
        self._textarea = None  # [name, text]

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            multipart = (a.get("enctype") or "").lower() == "multipart/form-data"
            self._form = Form(a.get("id"), urljoin(self.base, a.get("action") or self.base), multipart, [])
            self.forms.append(self._form)
        elif self._form is None or (not a.get("name") and tag != "option"):
            return  # outside a form, or a control that is never sent
        elif tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            self._form.controls.append(Control(a["name"], "" if kind == "file" else a.get("value", ""), kind))
        elif tag == "button":
            self._form.controls.append(Control(a["name"], a.get("value", ""), "button"))
        elif tag == "select":
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select is not None:
            value = a.get("value", "")
            if self._select[1] is None:
                self._select[1] = value
            if "selected" in a:
                self._select[2] = value
        elif tag == "textarea":
            self._textarea = [a["name"], ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select" and self._select is not None:
            name, first, selected = self._select
            self._form.controls.append(Control(name, selected if selected is not None else first or "", "select"))
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self._form.controls.append(Control(self._textarea[0], self._textarea[1], "textarea"))
            self._textarea = None


def forms(page: str, url: str) -> list[Form]:
    parser = _FormParser(url)
    parser.feed(page)
    return parser.forms


def multipart_body(fields, file_fields) -> tuple[bytes, str]:
    """multipart/form-data as a browser sends it; a file control left empty is a part with no file."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields:
        if name in file_fields:
            head = f'Content-Disposition: form-data; name="{name}"; filename=""\r\n' \
                   "Content-Type: application/octet-stream\r\n\r\n"
            parts.append(f"--{boundary}\r\n{head}\r\n".encode())
        else:
            head = f'Content-Disposition: form-data; name="{name}"\r\n\r\n'
            parts.append(f"--{boundary}\r\n{head}{value}\r\n".encode())
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


class Browser:
    """One visitor of the portal."""

    def __init__(self, base_url: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        split = urlsplit(self.base_url)
        self.host, self.port = split.hostname, split.port
        assert self.host == "127.0.0.1", "the load tests talk to 127.0.0.1 only"
        self.timeout = timeout
        self.cookies: dict[str, str] = {}

    def url(self, path: str) -> str:
        return urljoin(self.base_url + "/", path)

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str | None = None) -> Response:
        url = self.url(path)
        split = urlsplit(url)
        target = split.path + (f"?{split.query}" if split.query else "")
        headers = {"Host": f"{self.host}:{self.port}", "Accept-Language": "en", "Connection": "close"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = content_type
        conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
        try:
            conn.request(method, target, body=body, headers=headers)
            raw = conn.getresponse()
            data = raw.read()
        except (OSError, http.client.HTTPException, socket.timeout) as error:
            raise TransportError(f"{type(error).__name__}: {error}") from error
        finally:
            conn.close()
        for header in raw.headers.get_all("Set-Cookie") or ():
            for name, morsel in SimpleCookie(header).items():
                if morsel["max-age"] == "0" or morsel.value == "":
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value
        return Response(url, raw.status, raw.headers.get("Location"), data.decode("utf-8", "replace"))

    def get(self, path: str) -> Response:
        return self.request("GET", path)

    def submit(self, form: Form, overrides: dict[str, str], button: str | None = None) -> Response:
        fields = form.fields(overrides, button)
        if form.multipart:
            files = {c.name for c in form.controls if c.kind == "file"}
            body, content_type = multipart_body(fields, files)
        else:
            body, content_type = urlencode(fields).encode(), "application/x-www-form-urlencoded"
        return self.request("POST", form.action, body, content_type)


def find_form(page: Response, predicate) -> Form | None:
    """The first form of the page that ``predicate(form)`` accepts."""
    return next((f for f in forms(page.text, page.url) if predicate(f)), None)


def log_in(browser: Browser, login: str, password: str) -> Response:
    """Log in through the form, as a person would; the answer is a 303 on success."""
    page = browser.get("/login")
    form = find_form(page, lambda f: f.id == "login")
    if form is None:
        return page
    return browser.submit(form, {"login": login, "password": password}, "submit")
