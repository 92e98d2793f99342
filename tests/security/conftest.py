"""A realistic data set for the security tests, and logged-in browsers for its users.

The demo data (``load_demo``, and ``load_demo_items`` and ``load_demo_work`` where the demo
has them, and the demo library with marker documents of every kind a customer must not be shown) is
the base, so whatever the demo loader learns to create later (tickets,
invoices, shipments ...) is crawled and checked too. A few edge
cases are added with the factories: a party no demo user belongs to, a user
with a revoked membership (and an active one of a blocked party), one whose membership is only requested.
"""
from __future__ import annotations

import io
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import pytest
import transaction
import webtest
from sqlalchemy import func, select

from portal import db as models
from portal.api.demo import load_demo as load_integration_demo
from portal.attachments.services import AttachmentService, UploadPolicy
from portal.audit.services import DatabaseAuditService
from portal.db.meta import Base
from portal.documents.demo import load_demo_documents
from portal.documents.services.publishing import attach_to_party
from portal.finance.demo import load_demo as load_finance_demo
from portal.identity.auth import DatabaseAuthService, LoginPolicy
from portal.identity.models import User
from portal.parties.models import Contract, Party, PartyGroup
from portal.scripts import demo
from portal.scripts.demo import DEMO_PASSWORD
from portal.utility.demo import demo_pdf
from portal.utility.demo import load_demo as load_utility_demo
from portal.utility.policy import ReadingPolicy
from portal.utility.services import CONTRACT_OWNER, submit_reading
from portal.utility.workflow import READING
from portal.workflows.engine import TransitionContext
from portal.workflows.services import WorkflowService
from tests import factories
from tests.conftest import login
from tests.factories.utility import SupplyPointFactory, accepted, day_night_meter

from .visibility import Secrets, visible_party_ids

# Columns any request may change, refused or not: ``last_seen_at`` is stamped when it is older than
# identity/auth.py's LAST_SEEN_RESOLUTION, so a long test would see a refused POST "change" it.
SNAPSHOT_IGNORES = {"auth_sessions": ("last_seen_at",)}


@dataclass(frozen=True)
class Actor:
    """A user the tests act as."""

    login: str
    password: str
    user_id: int
    visible: frozenset[int]  # parties this user may see, by the README's rules
    sees_all: bool


class World:
    """The data set of one test, its users and fresh browsers for them."""

    # Customers (each kind of membership) and a manager see only some parties.
    RESTRICTED = ("holding", "energo", "trans", "vostok", "yug", "former", "applicant", "manager")
    STAFF = ("backoffice", "admin")

    def __init__(self, app, environ, dbsession):
        self.app = app
        self.environ = dict(environ)
        self.db = dbsession
        with self.using_factories():
            self._load(dbsession)
        self.parties = {p.external_id: p for p in dbsession.scalars(select(Party))}
        self.secrets = Secrets(dbsession)
        self.all_party_ids = frozenset(p.id for p in self.parties.values())
        self.actors: dict[str, Actor] = {}
        for name in self.RESTRICTED + self.STAFF:
            password = factories.DEFAULT_PASSWORD if name in ("former", "applicant") else DEMO_PASSWORD
            self.add_actor(name, password)

    @staticmethod
    def _load(dbsession):
        demo.load_demo(dbsession, factories.TEST_PASSWORDS)
        # The demo's workflow items (requests ...), where this version of the demo has them.
        load_items = getattr(demo, "load_demo_items", None)
        if load_items is not None:
            load_items(dbsession)
        # Tickets, a change request and message threads (several parties, unread for some users).
        load_work = getattr(demo, "load_demo_work", None)
        if load_work is not None:
            load_work(dbsession, {})
        parties = {p.external_id: p for p in dbsession.scalars(select(Party))}
        zapad = factories.PartyFactory(name="Zapad Teplo", tax_id="3900000006", external_id="TEST-ZAPAD",
                                       address="Kaliningrad, Morskaya 8")
        factories.ContractFactory(party=zapad, number="Z-2025/500", external_id="TEST-ZAPAD/Z-2025/500")
        former = factories.UserFactory(login="former", last_name="Lebedev", first_name="Boris")
        factories.MembershipFactory(user=former, party=zapad)
        factories.MembershipFactory(user=former, party=parties["DEMO-YUG"], state="revoked")
        applicant = factories.UserFactory(login="applicant", last_name="Fedorova", first_name="Maria")
        factories.MembershipFactory(user=applicant, party=parties["DEMO-VOSTOK"], state="requested")
        World._load_blocked(dbsession, former)
        dbsession.flush()
        World._load_documents(dbsession, parties, zapad)
        World._load_utility(dbsession, parties, zapad, former)
        World._load_finance(dbsession, zapad)
        World._load_price_lists(dbsession, zapad)
        World._load_registrations(dbsession, zapad)
        World._load_integration(dbsession)
        World._load_two_factor(dbsession)

    @staticmethod
    def _load_blocked(dbsession, former):
        """A blocked party, with a contract and an invoice of markers, that ``former`` is an active member
        of: staff see it (with its badge), its member as if it were none."""
        from tests.factories import finance as make

        blocked = factories.PartyFactory(name="Zakryto Teplo", tax_id="3900000007", external_id="TEST-BLOCKED",
                                         address="Kaliningrad, Tikhaya 1", state="blocked")
        factories.ContractFactory(party=blocked, number="B-2025/700", external_id="TEST-BLOCKED/B-2025/700")
        make.invoice(dbsession, blocked, number="MARKER-INV-BLOCKED", issued=date.today() - timedelta(days=10),
                     lines=[make.line("MARKER-LINE-BLOCKED heat supply", "1", "Gcal", "2100.00", "20")])
        factories.MembershipFactory(user=former, party=blocked)

    @staticmethod
    def _load_documents(dbsession, parties, zapad):
        """The demo library, and a marker document of each kind a customer must not be shown but the
        ones meant for it: another party's (attached to it, so "new" there), a party group's,
        staff-only, withdrawn, expired, not yet valid."""
        from tests.factories import documents as make

        load_demo_documents(dbsession, factories.app_registry().settings)
        today = date.today()
        group = make.party_group(dbsession, "Marker customers", [parties["DEMO-VOSTOK"]])
        zapad_only = make.document(dbsession, title_en="MARKER-DOC-ZAPAD-ONLY", filename="marker-zapad-only.pdf",
                                   visibility="chosen", parties=[zapad], tags="marker")
        attach_to_party(dbsession, DatabaseAuditService(dbsession), zapad_only, zapad)
        make.document(dbsession, title_en="MARKER-DOC-GROUP-VOSTOK", filename="marker-group-vostok.pdf",
                      visibility="chosen", groups=[group], tags="marker")
        make.document(dbsession, title_en="MARKER-DOC-STAFF-ONLY", filename="marker-staff-only.pdf",
                      visibility="staff", tags="marker")
        make.document(dbsession, title_en="MARKER-DOC-WITHDRAWN", filename="marker-withdrawn.pdf",
                      tags="marker").state = "withdrawn"
        make.document(dbsession, title_en="MARKER-DOC-EXPIRED", filename="marker-expired.pdf",
                      valid_to=today - timedelta(days=1), tags="marker")
        make.document(dbsession, title_en="MARKER-DOC-NOT-YET", filename="marker-not-yet.pdf",
                      valid_from=today + timedelta(days=30), tags="marker")
        dbsession.flush()

    @staticmethod
    def _load_utility(dbsession, parties, zapad, former):
        """The utility's demo (supply points, meters, a year of readings, contract documents), and
        markers of a party no demo user sees: its supply point with a contract document, a meter,
        a reading waiting for review (in the staff's queue) and a rejected one."""
        settings = factories.app_registry().settings
        load_utility_demo(dbsession, settings)
        contract = dbsession.scalars(select(Contract).where(Contract.party_id == zapad.id)).first()
        point = SupplyPointFactory(party=zapad, address="MARKER-SP-ZAPAD, Morskaya 8", external_id="MARKER-SP-ZAPAD",
                                   contract=contract)
        meter = day_night_meter(dbsession, point, serial="MARKER-METER-ZAPAD")
        today = datetime.now(timezone.utc).date()  # the tests' company time zone is UTC
        accepted(dbsession, meter, today - timedelta(days=60), T1="1000", T2="500")
        service = WorkflowService(dbsession, actor_id=former.id, permits=lambda p, r: True, notify=None)
        rejected = submit_reading(service, dbsession, meter=meter, author_id=former.id,
                                  reading_date=today - timedelta(days=30), typed={"T1": "5000", "T2": "600"},
                                  comment="MARKER-READING-REJECTED", policy=ReadingPolicy(), today=today,
                                  locale="en").reading
        READING.apply(rejected, "reject", TransitionContext(session=dbsession, actor_id=None,
                                                            comment="MARKER-REASON-ZAPAD"),
                      permits=lambda permission: True)
        submit_reading(service, dbsession, meter=meter, author_id=former.id, reading_date=today - timedelta(days=1),
                       typed={"T1": "9000", "T2": "600"}, comment="MARKER-READING-ZAPAD", policy=ReadingPolicy(),
                       today=today, locale="en")
        attachments = AttachmentService(dbsession, UploadPolicy.from_settings(settings))
        upload = attachments.check(io.BytesIO(demo_pdf("MARKER-CONTRACT-ZAPAD")), "marker-zapad-contract.pdf")
        attachments.attach(upload, party_id=zapad.id, owner_type=CONTRACT_OWNER, owner_id=contract.id,
                           uploaded_by_id=None)
        dbsession.flush()

    @staticmethod
    def _load_integration(dbsession):
        """The integration's demo: the feed of the demo requests and tickets, and a paused webhook with
        their deliveries waiting (the admin's crawl reaches its page and forms)."""
        load_integration_demo(dbsession)

    @staticmethod
    def _load_finance(dbsession, zapad):
        """The finance demo (every demo party's invoices in every state, payments, balances: numbers,
        line texts and purposes of its own; an advance schedule each), and markers of a party no demo user
        sees: an invoice (its number and line), a payment paying it, a balance, an advance schedule."""
        from tests.factories import finance as make

        load_finance_demo(dbsession, factories.app_registry().settings)
        today = date.today()
        invoice = make.invoice(dbsession, zapad, number="MARKER-INV-ZAPAD", issued=today - timedelta(days=20),
                               lines=[make.line("MARKER-LINE-ZAPAD heat supply", "3", "Gcal", "2100.00", "20")])
        make.payment(dbsession, zapad, amount="1000.00", paid_on=today - timedelta(days=5), number="MARKER-PAY-ZAPAD",
                     purpose="MARKER-PURPOSE-ZAPAD", allocations={invoice: "1000.00"})
        make.balance(dbsession, zapad, as_of=today - timedelta(days=1), amount="6560.00", services="6560.00")
        contract = dbsession.scalars(select(Contract).where(Contract.party_id == zapad.id)).first()
        make.advance_schedule(dbsession, zapad, contract, number="MARKER-ADV-ZAPAD", issued=today - timedelta(days=40),
                              payments=[(today - timedelta(days=30), "2000.00", "2000.00"),
                                        (today - timedelta(days=1), "2000.00"), (today + timedelta(days=29), "2000.00")])
        dbsession.flush()

    @staticmethod
    def _load_two_factor(dbsession):
        """The demo's ``newcomer`` (no user the tests log in as) with two-factor on: its secret and its
        recovery codes' hashes must never be shown, not even to the admins who see its user page."""
        import pyotp

        from portal.db.meta import utcnow
        from portal.identity import two_factor

        user = dbsession.scalars(select(User).where(User.login == "newcomer")).one()
        two_factor.begin_setup(user)
        two_factor.confirm_setup(dbsession, user, pyotp.TOTP(user.totp_secret).now(), utcnow())
        dbsession.flush()

    @staticmethod
    def _load_price_lists(dbsession, zapad):
        """Beside the demo's price lists (loaded with the finance demo: two for every customer, one for
        Sever Energo alone), markers of each kind a customer must not be shown but the ones meant for
        it: one for a party no demo user sees, one for a customer group (Vostok's), one not yet valid."""
        from tests.factories import finance as make

        today = date.today()
        group = dbsession.scalars(select(PartyGroup).where(PartyGroup.name == "Marker customers")).one()
        make.price_list(dbsession, name="MARKER-PRICE-LIST-ZAPAD", valid_from=today - timedelta(days=10),
                        parties=[zapad], items=[("MK-1", "MARKER-PRICE-ITEM-ZAPAD heat metering", "Gcal", "99.50", "20")])
        make.price_list(dbsession, name="MARKER-PRICE-LIST-GROUP-VOSTOK", valid_from=today - timedelta(days=10),
                        groups=[group], items=[("MK-2", "MARKER-PRICE-ITEM-VOSTOK berth", "day", "10.00", "20")])
        make.price_list(dbsession, name="MARKER-PRICE-LIST-NOT-YET", valid_from=today + timedelta(days=30),
                        items=[("MK-3", "MARKER-PRICE-ITEM-NOT-YET", "pc", "1.00", "20")])
        dbsession.flush()

    @staticmethod
    def _load_registrations(dbsession, zapad):
        """The demo's registrations (waiting, rejected, unconfirmed, ``trans`` asking for Sever Energo too),
        and markers no customer may read: a registrant waiting for the back office with the marker party's
        tax id, and one bound to it (its company as typed, and the person)."""
        from portal.onboarding.demo import load_demo_registrations
        from tests.factories.onboarding import registered

        load_demo_registrations(dbsession, factories.TEST_PASSWORDS, DEMO_PASSWORD)
        registered(dbsession, company="MARKER-REG-COMPANY", tax_id=zapad.tax_id, customer_number="MARKER-REG-NUMBER",
                   last_name="MARKER-REGISTRANT", first_name="Waiting", email="marker-registrant@zapad.test")
        bound = registered(dbsession, company="MARKER-REG-BOUND-COMPANY", state="bound", last_name="MARKER-BOUND",
                           email="marker-bound@zapad.test")
        bound.party_id = zapad.id
        dbsession.flush()

    @contextmanager
    def using_factories(self):
        """The factories, writing into this world's session for the duration."""
        previous = factories.PartyFactory._meta.sqlalchemy_session
        factories.bind(self.db)
        try:
            yield factories
        finally:
            factories.bind(previous)

    def add_staff(self, role, login_name) -> Actor:
        """A new member of staff (made with the factories), ready to act."""
        with self.using_factories():
            factories.staff(role, login=login_name)
        return self.add_actor(login_name)

    def add_actor(self, login_name, password=factories.DEFAULT_PASSWORD) -> Actor:
        user = self.db.scalars(select(User).where(User.login == login_name)).one()
        visible = visible_party_ids(self.db, user.id)
        actor = Actor(login_name, password, user.id, visible, visible == self.all_party_ids)
        self.actors[login_name] = actor
        return actor

    def browser(self, actor: Actor | None = None) -> webtest.TestApp:
        """A fresh browser sharing the test's transaction; logged in as ``actor`` unless None."""
        browser = webtest.TestApp(self.app, extra_environ=dict(self.environ))
        if actor is not None:
            login(browser, actor.login, actor.password)
        return browser

    def relogin(self, browser, actor: Actor):
        """Log in again. Hostile values sent as the current password count as failed logins, and
        may have locked the login or throttled the test's address: both are lifted first."""
        browser.reset()
        auth = DatabaseAuthService(self.db, factories.TEST_PASSWORDS, LoginPolicy())
        auth.unlock(self.db.get(User, actor.user_id))
        auth.unlock_address(self.environ.get("REMOTE_ADDR", ""))
        login(browser, actor.login, actor.password)

    def snapshot(self) -> dict[str, list]:
        """Every row of every table: a refused request must leave all of them as they were (but for
        the login session's idle clock, which any request moves on every few minutes)."""
        self.db.flush()
        return {
            table.name: sorted((tuple(row) for row in self.db.execute(select(*(
                c for c in table.c if c.name not in SNAPSHOT_IGNORES.get(table.name, ())
            )))), key=repr)
            for table in Base.metadata.sorted_tables
        }

    def counts(self) -> dict[str, int]:
        self.db.flush()
        return {
            table.name: self.db.scalar(select(func.count()).select_from(table))
            for table in Base.metadata.sorted_tables
        }


def snapshot_diff(before, after) -> list[str]:
    """Tables whose rows differ, with their row counts."""
    return [
        f"{name}: {len(before[name])} rows -> {len(after[name])} rows"
        for name in before
        if before[name] != after[name]
    ]


@pytest.fixture
def world(app, testapp, dbsession):
    """The data set in the test's own transaction."""
    return World(app, testapp.extra_environ, dbsession)


@pytest.fixture(scope="module")
def module_world(app):
    """The data set in one doomed transaction shared by a whole module's tests.

    Crawling every user once per module instead of once per test keeps the
    suite fast; the module's tests see each other's changes (the forms a
    hostile test sent, say). A module using it must use no function-scoped
    database fixture: two open transactions would wait on each other's locks.
    """
    manager = transaction.TransactionManager(explicit=True)
    manager.begin()
    manager.doom()
    session = models.get_tm_session(app.registry["dbsession_factory"], manager)
    environ = {
        "HTTP_HOST": "localhost",
        "REMOTE_ADDR": "192.0.2.10",
        "tm.active": True,
        "tm.manager": manager,
        "app.dbsession": session,
    }
    yield World(app, environ, session)
    manager.abort()
