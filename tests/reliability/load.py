"""Mixed load on a live portal: customer sessions filing requests, staff sessions working them.

Every HTTP exchange is written to a Journal, and every request filed to a Submissions ledger under a
unique subject, so the tests can afterwards hold the database to what the clients were told: a 303
means the request exists exactly once, an error page means it does not exist at all.
"""
from __future__ import annotations

import random
import re
import threading
import time
import uuid
from dataclasses import dataclass

from portal.scripts.demo import DEMO_PASSWORD

from .client import Browser, Response, TransportError, find_form

# Customer logins with the parties they file on (demo external ids); a login may appear twice:
# the same person in two browsers.
CUSTOMERS = [
    ("energo", ["DEMO-SEVER-ENERGO"]),
    ("trans", ["DEMO-SEVER-TRANS"]),
    ("vostok", ["DEMO-VOSTOK"]),
    ("yug", ["DEMO-YUG"]),
    ("holding", ["DEMO-SEVER", "DEMO-SEVER-ENERGO", "DEMO-SEVER-TRANS"]),
    ("energo", ["DEMO-SEVER-ENERGO"]),
    ("vostok", ["DEMO-VOSTOK"]),
    ("yug", ["DEMO-YUG"]),
]
# Staff who handle requests on every party; two sessions each, so they collide on the same items.
STAFF = ["service", "backoffice", "service", "backoffice"]
ITEM_LINK = re.compile(r'href="[^"]*/p/(\d+)/requests/(\d+)/"')
ERROR_PAUSE = 0.2  # after an error a person waits a moment before trying again
STEP_REQUESTS = 5  # the most requests one step makes (staff: the queue, then page and POST twice)


@dataclass
class Outcome:
    started: float  # time.monotonic()
    took: float
    who: str
    what: str  # e.g. "POST new-request"
    status: int | None  # None: no HTTP answer
    error: str = ""
    body: str = ""  # kept for 5xx answers, to check what they show


class Journal:
    """Every exchange of every session, in the order they ended."""

    def __init__(self):
        self._lock = threading.Lock()
        self.outcomes: list[Outcome] = []

    def add(self, outcome: Outcome) -> None:
        with self._lock:
            self.outcomes.append(outcome)

    def server_errors(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is not None and o.status >= 500]

    def no_answer(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is None]

    def failures(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.status is None or o.status >= 500]

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for o in self.outcomes:
            key = f"{o.what} {o.status if o.status is not None else 'no answer'}"
            counts[key] = counts.get(key, 0) + 1
        return dict(sorted(counts.items()))


class Submissions:
    """What each filing's client was told, by the filing's unique subject."""

    FILED, FAILED, UNKNOWN = "filed", "failed", "unknown"

    def __init__(self):
        self.tag = f"load-{uuid.uuid4().hex[:10]}"
        self._lock = threading.Lock()
        self.outcome: dict[str, str] = {}
        self.at: dict[str, float] = {}

    def new_subject(self, who: str, n: int) -> str:
        return f"{self.tag} {who} #{n}"

    # A form sent twice (the same page re-sent) keeps its most telling answer: once acknowledged it
    # is filed, and an answer lost on the way may have filed it even if a later send met an error.
    RANK = {FAILED: 0, UNKNOWN: 1, FILED: 2}

    def record(self, subject: str, outcome: str, at: float) -> None:
        with self._lock:
            before = self.outcome.get(subject, self.FAILED)
            self.outcome[subject] = max(before, outcome, key=self.RANK.__getitem__)
            self.at[subject] = at

    def with_outcome(self, outcome: str) -> set[str]:
        return {s for s, o in self.outcome.items() if o == outcome}


class Deadline:
    """When the sessions of a run stop taking new steps; a test may move it while they run."""

    def __init__(self, at: float):
        self.at = at

    def passed(self) -> bool:
        return time.monotonic() >= self.at


class Visitor(threading.Thread):
    """A person in a browser: logs in through the form, then takes steps until time or budget runs out."""

    def __init__(self, portal, login: str, index: int, journal: Journal, deadline: Deadline, budget: int,
                 timeout: float):
        super().__init__(name=f"{login}-{index}", daemon=True)
        self.portal = portal
        self.login = login
        self.who = f"{login}-{index}"
        self.journal = journal
        self.deadline = deadline
        self.budget = budget  # HTTP requests this session may make
        self.browser: Browser = portal.browser(timeout=timeout)
        self.random = random.Random(self.who)
        self.crash: BaseException | None = None
        self.last: Outcome | None = None  # this session's latest exchange

    def running(self) -> bool:
        return not self.deadline.passed() and self.budget > 0

    def call(self, what: str, method: str, path: str, form=None, overrides=None, button=None) -> Response | None:
        """One exchange, journaled; None when it failed (no answer or 5xx)."""
        self.budget -= 1
        started = time.monotonic()
        try:
            if method == "GET":
                response = self.browser.get(path)
            else:
                response = self.browser.submit(form, overrides or {}, button)
        except TransportError as error:
            self.last = Outcome(started, time.monotonic() - started, self.who, what, None, str(error))
            self.journal.add(self.last)
            time.sleep(ERROR_PAUSE)
            return None
        failed = response.status >= 500
        self.last = Outcome(started, time.monotonic() - started, self.who, what, response.status,
                            body=response.text if failed else "")
        self.journal.add(self.last)
        if failed:
            time.sleep(ERROR_PAUSE)
            return None
        return response

    def sign_in(self) -> bool:
        while self.running():
            page = self.call("GET login", "GET", "/login")
            form = page and find_form(page, lambda f: f.id == "login")
            if form is None:
                continue
            done = self.call("POST login", "POST", form.action, form, {"login": self.login, "password": DEMO_PASSWORD},
                             "submit")
            if done is not None and done.status == 303:
                return True
        return False

    def run(self):
        try:
            if self.sign_in():
                while self.running():
                    self.step()
        except BaseException as error:  # a bug in the test itself must fail the test, not vanish
            self.crash = error

    def step(self) -> None:
        raise NotImplementedError


class Customer(Visitor):
    """Files requests on its parties, each under a new subject, and reads back what it filed."""

    def __init__(self, *args, party_ids: list[int], type_ids: list[int], submissions: Submissions, **kw):
        super().__init__(*args, **kw)
        self.party_ids = party_ids
        self.type_ids = type_ids
        self.submissions = submissions
        self.filed = 0
        self.forms = {}  # party id -> the last new-request form this person opened, and what they wrote in it

    def step(self) -> None:
        party_id = self.random.choice(self.party_ids)
        page = self.call("GET new-request", "GET", f"/p/{party_id}/requests/new")
        form = page and find_form(page, lambda f: f.id == "new-request")
        if form is None:
            # Someone whose form was already open sends it again as it was: a POST that meets the
            # failure, or, once the portal is back, lands on what that form filed (it files once).
            if party_id not in self.forms:
                return
            form, fields = self.forms[party_id]
            subject = fields["subject"]
        else:
            subject = self.submissions.new_subject(self.who, self.filed)
            self.filed += 1
            fields = {"type_id": str(self.random.choice(self.type_ids)), "subject": subject,
                      "body": f"Sent by the load test as {self.who}."}
            self.forms[party_id] = form, fields
        started = time.monotonic()
        done = self.call("POST new-request", "POST", form.action, form, fields, "submit")
        if done is None:  # an error page means not filed; no answer at all leaves it open
            outcome = Submissions.UNKNOWN if self.last.status is None else Submissions.FAILED
            self.submissions.record(subject, outcome, started)
            return
        self.submissions.record(subject, Submissions.FILED if done.status == 303 else Submissions.FAILED, started)
        if done.status == 303:
            self.call("GET request", "GET", done.location)
        if self.filed % 5 == 0:
            self.call("GET requests", "GET", f"/p/{party_id}/requests/?sort=-created")


class Staff(Visitor):
    """Works the queues: assigns a new request to itself, then starts work on it."""

    def __init__(self, *args, party_ids: list[int], user_id: int, **kw):
        super().__init__(*args, **kw)
        self.party_ids = party_ids
        self.user_id = user_id
        self.posted = 0

    def step(self) -> None:
        party_id = self.random.choice(self.party_ids)
        listing = self.call("GET queue", "GET", f"/p/{party_id}/requests/?state=new&sort=created")
        if listing is None:
            return
        items = ITEM_LINK.findall(listing.text)[:5]  # the oldest few: colleagues pick the same ones
        if not items:
            time.sleep(0.05)
            return
        _, item_id = self.random.choice(items)
        url = f"/p/{party_id}/requests/{item_id}/"
        for transition, fields in (("assign", {"assignee_id": str(self.user_id)}), ("start", {})):
            page = self.call("GET request", "GET", url)
            form = page and find_form(page, lambda f: f.value("transition") == transition)
            if form is None:
                return  # a colleague took it meanwhile
            done = self.call(f"POST {transition}", "POST", form.action, form, fields)
            if done is None or done.status != 303:
                return
            self.posted += 1


class LoadRun:
    """The customers and staff of one test, started together and stopped by a shared deadline."""

    def __init__(self, portal, seconds: float, customer_budget: int = 400, staff_budget: int = 400,
                 timeout: float = 10.0):
        self.portal = portal
        self.journal = Journal()
        self.submissions = Submissions()
        self.started = time.monotonic()
        self.deadline = Deadline(self.started + seconds)
        self.timeout = timeout
        type_ids = sorted(portal.type_ids.values())
        self.customers = [
            Customer(portal, login, i, self.journal, self.deadline, customer_budget, timeout,
                     party_ids=[portal.party_ids[ext] for ext in parties], type_ids=type_ids,
                     submissions=self.submissions)
            for i, (login, parties) in enumerate(CUSTOMERS)
        ]
        every_party = sorted(portal.party_ids.values())
        self.staff = [
            Staff(portal, login, i, self.journal, self.deadline, staff_budget, timeout,
                  party_ids=every_party, user_id=portal.user_ids[login])
            for i, login in enumerate(STAFF)
        ]
        self.sessions: list[Visitor] = self.customers + self.staff

    def start(self) -> None:
        for session in self.sessions:
            session.start()

    def join(self) -> None:
        """Wait for every session; one still running a timeout after the deadline is hung.

        A session finishes its step after the deadline, and a step is at most STEP_REQUESTS requests,
        each bounded by the client timeout (plus the pause after an error).
        """
        for session in self.sessions:
            session.join(max(0.0, self.deadline.at + STEP_REQUESTS * (self.timeout + ERROR_PAUSE) - time.monotonic()))
        hung = [s.who for s in self.sessions if s.is_alive()]
        assert not hung, f"sessions still waiting for an answer long after the deadline: {hung}"
        crashed = {s.who: repr(s.crash) for s in self.sessions if s.crash is not None}
        assert not crashed, f"load sessions crashed: {crashed}"

    @property
    def transitions_posted(self) -> int:
        """Transition POSTs answered 303 (applied, or refused because a colleague was first)."""
        return sum(s.posted for s in self.staff)
