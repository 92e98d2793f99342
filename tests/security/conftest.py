"""A realistic data set for the security tests, and logged-in browsers for its users.

The demo data (``load_demo``, and ``load_demo_items`` where the demo has it) is
the base, so whatever the demo loader learns to create later (tickets,
invoices, shipments ...) is crawled and checked too. A few edge
cases are added with the factories: a party no demo user belongs to, a user
with a revoked membership, one whose membership is only requested.
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import transaction
import webtest
from sqlalchemy import func, select

from portal import db as models
from portal.db.meta import Base
from portal.identity.auth import DatabaseAuthService, LoginPolicy
from portal.identity.models import User
from portal.parties.models import Party
from portal.scripts import demo
from portal.scripts.demo import DEMO_PASSWORD
from tests import factories
from tests.conftest import login

from .visibility import Secrets, visible_party_ids


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
        parties = {p.external_id: p for p in dbsession.scalars(select(Party))}
        zapad = factories.PartyFactory(name="Zapad Teplo", tax_id="3900000006", external_id="TEST-ZAPAD",
                                       address="Kaliningrad, Morskaya 8")
        factories.ContractFactory(party=zapad, number="Z-2025/500", external_id="TEST-ZAPAD/Z-2025/500")
        former = factories.UserFactory(login="former", last_name="Lebedev", first_name="Boris")
        factories.MembershipFactory(user=former, party=zapad)
        factories.MembershipFactory(user=former, party=parties["DEMO-YUG"], state="revoked")
        applicant = factories.UserFactory(login="applicant", last_name="Fedorova", first_name="Maria")
        factories.MembershipFactory(user=applicant, party=parties["DEMO-VOSTOK"], state="requested")
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
        """Every row of every table: a refused request must leave all of them as they were."""
        self.db.flush()
        return {
            table.name: sorted((tuple(row) for row in self.db.execute(select(table))), key=repr)
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
