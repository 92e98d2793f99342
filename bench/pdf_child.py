"""Invoice PDFs measured in a process of their own, so its memory is its own.

``python -m bench.pdf_child pdf <db_url> <rounds>``: one invoice of the big customer as the portal
serves it (the whole application: session, traversal, ACL, database, template, weasyprint), against
bare weasyprint writing the very HTML the portal gave weasyprint; interleaved rounds, best of each.

``python -m bench.pdf_child zip <db_url> <count> <rounds>``: the ZIP of ``count`` invoices, read out
chunk by chunk as a download is, against ``count`` single PDFs requested one after the other; and the
peak memory before the ZIPs, after a ZIP of a fifth as many and after the whole one (flat is the aim).

The application is called through WSGI in this process (no server, no sockets), logged in through
the login form like a browser. Prints JSON.
"""
import json
import re
import sys
import time
from http.cookies import SimpleCookie
from pathlib import Path

INI = Path(__file__).with_name("bench.ini")
TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def peak_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


class Browser:
    """Requests to a WSGI app with a cookie jar, as a browser would send them."""

    def __init__(self, app):
        self.app, self.cookies = app, {}

    def request(self, path, method="GET", POST=None):
        from webob import Request

        headers = {"Host": "localhost"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        request = Request.blank(path, method=method, POST=POST, headers=headers, remote_addr="127.0.0.1")
        response = request.get_response(self.app)
        for header in response.headers.getall("Set-Cookie"):
            for name, morsel in SimpleCookie(header).items():
                self.cookies[name] = morsel.value
        return response

    def get(self, path) -> bytes:
        response = self.request(path)
        if response.status_int != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        return response.body

    def stream(self, path) -> int:
        """Read the answer chunk by chunk, as a download is; its size."""
        response = self.request(path)
        if response.status_int != 200:
            raise RuntimeError(f"{path} answered {response.status}")
        size = 0
        try:
            for chunk in response.app_iter:
                size += len(chunk)
        finally:
            close = getattr(response.app_iter, "close", None)
            if close:
                close()
        return size

    def log_in(self, login, password):
        token = TOKEN.search(self.request("/login").text).group(1)
        self.request("/login", "POST", {"login": login, "password": password, "csrf_token": token, "submit": "submit"})
        if "portal_session" not in self.cookies:
            raise RuntimeError(f"could not log in as {login}")


def setup(db_url):
    """The portal, a browser logged in as the big customer's user, and its invoices' ids (oldest first)."""
    from sqlalchemy import select

    import portal
    from portal.db import get_engine, get_session_factory
    from portal.finance.models import Invoice
    from portal.scripts.common import load_settings

    from . import generate

    settings = dict(load_settings(str(INI)), **{"sqlalchemy.url": db_url})
    app = portal.main({}, **settings)
    engine = get_engine({"sqlalchemy.url": db_url})
    try:
        with get_session_factory(engine)() as db:
            party_id, login = generate.big_customer(db)
            ids = db.scalars(select(Invoice.id).where(Invoice.party_id == party_id, Invoice.cancelled.is_(False))
                             .order_by(Invoice.issue_date, Invoice.id)).all()
    finally:
        engine.dispose()
    browser = Browser(app)
    browser.log_in(login, generate.PASSWORD)
    return browser, party_id, ids


def measure_pdf(db_url, rounds) -> dict:
    import weasyprint

    from portal import pdf

    seen = []
    real = pdf.PdfRenderer.html_to_pdf

    def recording(self, html):
        seen.append(html)
        return real(self, html)

    pdf.PdfRenderer.html_to_pdf = recording
    browser, party_id, ids = setup(db_url)
    path = f"/p/{party_id}/invoices/{ids[-1]}/pdf"
    portal_pdf = browser.get(path)  # warm: templates compiled, fonts read once
    html = seen[-1]
    bare_pdf = weasyprint.HTML(string=html).write_pdf()
    if not (portal_pdf.startswith(b"%PDF-") and bare_pdf.startswith(b"%PDF-")):
        raise RuntimeError("not a PDF")
    times = {"portal": [], "bare": []}
    for _ in range(rounds):
        start = time.perf_counter()
        browser.get(path)
        times["portal"].append(time.perf_counter() - start)
        start = time.perf_counter()
        weasyprint.HTML(string=html).write_pdf()
        times["bare"].append(time.perf_counter() - start)
    return {"portal": min(times["portal"]), "bare": min(times["bare"]), "bytes": len(portal_pdf),
            "bare_bytes": len(bare_pdf), "html_bytes": len(html)}


def measure_zip(db_url, count, rounds) -> dict:
    browser, party_id, ids = setup(db_url)
    if len(ids) < count:
        raise RuntimeError(f"the big customer has {len(ids)} invoices, fewer than {count}")
    chosen = ids[-count:]
    singles = [f"/p/{party_id}/invoices/{i}/pdf" for i in chosen]
    query = "&".join(f"id={i}" for i in chosen)
    small = "&".join(f"id={i}" for i in chosen[: max(1, count // 5)])
    browser.get(singles[0])  # warm
    before = peak_kib()
    browser.stream(f"/p/{party_id}/invoices/zip?{small}")
    after_small = peak_kib()
    times = {"zip": [], "singles": []}
    size = 0
    for _ in range(rounds):
        start = time.perf_counter()
        size = browser.stream(f"/p/{party_id}/invoices/zip?{query}")
        times["zip"].append(time.perf_counter() - start)
        start = time.perf_counter()
        for path in singles:
            browser.get(path)
        times["singles"].append(time.perf_counter() - start)
    return {"zip": min(times["zip"]), "singles": min(times["singles"]), "bytes": size, "count": count,
            "peak_before_kib": before, "peak_small_kib": after_small, "peak_after_kib": peak_kib()}


def main(argv) -> int:
    mode, db_url = argv[0], argv[1]
    if mode == "pdf":
        result = measure_pdf(db_url, int(argv[2]))
    else:
        result = measure_zip(db_url, int(argv[2]), int(argv[3]))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
