"""The memory row: a gunicorn sync worker's resident memory before and after many mixed requests.

One worker serves the portal on the benchmark data; after a warm-up (every request of the mix twice:
templates compiled, caches filled, pools open) its RSS is read, then it serves ``count`` requests cycling
through the mix, and its RSS is read again. The mix is what people do: a big customer's user opens the
party's home, its request list, request pages, invoices, invoice pages, documents, supply points and
message threads; staff open the directory, search it, open parties and their requests; an admin the
user list. A leak per request, or per object shown, shows as growth (a few hundred bytes a request is
megabytes here); allocator noise and bounded caches stay within a few MiB.
"""
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sqlalchemy import select

from . import serve

DISTINCT = 40  # different items of each kind in the mix, so per-item caches show if they grow
# Invoice PDFs in the mix: few, since each takes a tenth of a second, but a PDF that leaves memory behind
# shows here (each left up to a MiB until the renderer kept one font configuration per thread).
PRINTED = 3


@dataclass(frozen=True)
class Reading:
    """What the row reports: RSS in KiB before and after, and the requests served in between."""

    before_kib: int
    after_kib: int
    requests: int
    distinct: int

    @property
    def growth_mib(self) -> float:
        return (self.after_kib - self.before_kib) / 1024


def mix(url: str, requests_path: str, customer: str, staff: str, admin: str) -> list[tuple[str, str]]:
    """(path, login) of each request of the mix, from the data set at ``url``."""
    from portal.db import get_engine, get_session_factory
    from portal.finance.models import Invoice
    from portal.messages.models import MessageThread
    from portal.parties.models import Party
    from portal.requests.models import CustomerRequest

    party_id = int(requests_path.split("/")[2])
    home = f"/p/{party_id}/"
    engine = get_engine({"sqlalchemy.url": url})
    try:
        with get_session_factory(engine)() as db:
            def ids(column, *where):
                return db.scalars(select(column).where(*where).order_by(column).limit(DISTINCT)).all()

            requests = ids(CustomerRequest.id, CustomerRequest.party_id == party_id)
            invoices = ids(Invoice.id, Invoice.party_id == party_id)
            threads = ids(MessageThread.id, MessageThread.party_id == party_id)
            parties = ids(Party.id, Party.external_id.like("BENCH-P%"), Party.id != party_id)
            others = db.execute(select(CustomerRequest.party_id, CustomerRequest.id)
                                .where(CustomerRequest.party_id.in_(parties))
                                .order_by(CustomerRequest.id).limit(DISTINCT)).all()
    finally:
        engine.dispose()
    customer_pages = [home, requests_path, home + "documents/", home + "invoices/", home + "supply-points/",
                      home + "messages/"]
    customer_pages += [f"{home}requests/{i}/" for i in requests] + [f"{home}invoices/{i}/" for i in invoices]
    customer_pages += [f"{home}messages/{i}/" for i in threads]
    customer_pages += [f"{home}invoices/{i}/pdf" for i in invoices[:PRINTED]]
    staff_pages = ["/p/?sort=name", "/p/?sort=name&q=energo", "/p/?sort=name&q=trade"]
    staff_pages += [f"/p/{i}/" for i in parties] + [f"/p/{p}/requests/{i}/" for p, i in others]
    staff_pages += [f"/p/{p}/requests/" for p in parties[:5]]
    return ([(path, customer) for path in customer_pages] + [(path, staff) for path in staff_pages]
            + [("/admin/users/?sort=login", admin)])


def get(base: str, path: str, cookie: str) -> None:
    """One request; anything but 200 (a redirect to the login, a 404, a 500) stops the measurement."""
    opener = urllib.request.build_opener(serve._NoRedirect)
    try:
        with opener.open(urllib.request.Request(base + path, headers={"Cookie": cookie}), timeout=60) as answer:
            answer.read()
    except urllib.error.HTTPError as error:
        raise RuntimeError(f"{path} answered {error.code} in the memory row's mix") from None


def measure(server: serve.Gunicorn, requests: list[tuple[str, str]], cookies: dict, count: int) -> Reading:
    """The worker's RSS before and after ``count`` requests of ``requests`` (its one worker kept busy
    by two connections)."""
    base = server.base
    [worker] = server.worker_pids()
    for _ in range(2):
        for path, login in requests:
            get(base, path, cookies[login])
    before = serve.rss_kib(worker)
    with ThreadPoolExecutor(2) as pool:
        # list(): the first failure is raised here
        list(pool.map(lambda i: get(base, requests[i % len(requests)][0], cookies[requests[i % len(requests)][1]]),
                      range(count)))
    after = serve.rss_kib(worker)
    if server.worker_pids() != [worker]:
        raise RuntimeError("the gunicorn worker was replaced during the memory row")
    return Reading(before, after, count, len(requests))
