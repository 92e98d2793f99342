"""``bench/generate.py <ini> --parties N [--scale S] [--reset]``: a realistic benchmark data set.

Parties (every 25th a holding with four member companies), their contracts,
customer users with memberships (a holding's user belongs to the whole group),
staff users and account managers with their assigned parties; customer
requests, service tickets and change requests in every state of their
workflows, each with the history of how it got there; message threads with
per-recipient receipts; a document library (most documents for every customer, some staff-only
or withdrawn, some for chosen parties, a few hundred of them for each big customer); invoices of
two lines each, mostly paid, some partly, some not (a big customer's over a thousand); supply points
(a few hundred for each big customer). Every 1000th party is a big customer with thousands of
requests, so a customer's list page pages over thousands of rows. All of it is
written through the project's own models (their tables, with bulk inserts), one
committed batch at a time.

It grows: a second run with a larger N adds only the parties that are missing
(and what hangs off them), a run with the same N changes nothing, and
``--reset`` removes every benchmark row first. Benchmark rows are marked
(``BENCH-`` accounting ids, ``bench-`` logins, ``bench-`` request types,
``Bench`` staff groups, ``Bench`` documents and folders; everything else hangs off a benchmark party), so the
rest of a database is never touched.

Each domain is one ``add_<domain>(db, batch, plan)`` function in ``DOMAINS``,
given the batch's parties. A domain added after a data set was made keeps its
own progress (``PROGRESS``): the next run fills it in for the parties there are.
"""
import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import delete, exists, func, insert, select, text, update

from portal.changes.models import ChangeRequest
from portal.changes.workflow import CHANGE_REQUEST, FIELDS
from portal.documents.models import Document, DocumentFolder, DocumentNotice, DocumentParty, DocumentVersion
from portal.finance.models import Invoice, InvoiceLine
from portal.identity.models import Role, User, UserRole, UserState
from portal.identity.passwords import password_service_from_settings
from portal.messages.models import Message, MessageReceipt, MessageThread
from portal.messages.workflow import MESSAGE
from portal.parties.models import Contract, ManagerAssignment, Membership, MembershipState, Party
from portal.requests.models import CustomerRequest, RequestType
from portal.requests.workflow import REQUEST
from portal.scripts.common import db_session, load_settings
from portal.staff.models import StaffGroup, StaffGroupMember
from portal.tickets.models import ServiceTicket, SlaPolicy
from portal.tickets.sla import DEFAULT_HOURS, BusinessCalendar
from portal.tickets.workflow import SERVICE_TICKET
from portal.utility.models import SupplyPoint
from portal.workflows.engine import CREATE
from portal.workflows.models import WorkflowHistory

PASSWORD = "Bench-portal-2026"
PARTY_PREFIX = "BENCH-P"
LOGIN_PREFIX = "bench-"
STAFF = [("bench-admin", Role.admin), ("bench-backoffice", Role.backoffice),
         ("bench-service", Role.service), ("bench-head", Role.head)]
GROUP_SIZE = 25        # every 25th party is a holding ...
HOLDING_MEMBERS = 4    # ... of the next four
PARTIES_PER_MANAGER = 250
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)
BIG_EVERY, BIG_OFFSET = 1000, 10  # parties 10, 1010, 2010 ... are big customers (not holdings)
BIG_REQUESTS = 2000  # requests of a big customer at --scale 1
BIG_USERS = 5        # a big customer's own portal users, all active (bench/run logs in as the first)
HISTORY_DAYS = 730   # workflow items were filed over the last two years
RECENT_DAYS = 45     # older items are mostly done
AUTO_CLOSE_DAYS = 7  # what portal.requests.auto_close_days is in development.ini

REGIONS = ["Sever", "Yug", "Vostok", "Zapad", "Ural", "Volga", "Baikal", "Amur", "Kama", "Don",
           "Neva", "Oka", "Altai", "Taiga", "Sibir", "Pomor", "Kuban", "Ladoga", "Onega", "Irtysh"]
TRADES = ["Energo", "Trans", "Vodokanal", "Logistics", "Stroy", "Teplo", "Gaz", "Service", "Torg",
          "Agro", "Metall", "Khim", "Les", "Port", "Sklad", "Rail", "Mash", "Pishcheprom", "Invest", "Telecom"]
FORMS = ["LLC", "JSC", "PJSC", "Ltd", "Group", "Holding"]
CITIES = ["Moscow", "Kazan", "Samara", "Perm", "Omsk", "Tomsk", "Irkutsk", "Krasnodar", "Rostov", "Tver"]
STREETS = ["Lenina", "Mira", "Sadovaya", "Naberezhnaya", "Zavodskaya", "Portovaya", "Vokzalnaya", "Tsentralnaya"]
LAST_NAMES = ["Ivanov", "Petrova", "Sidorov", "Kuznetsova", "Smirnov", "Popova", "Volkov", "Sokolova",
              "Morozov", "Novikova", "Lebedev", "Kozlova", "Orlov", "Egorova", "Pavlov", "Lee", "Novak"]
FIRST_NAMES = ["Irina", "Sergey", "Anna", "Victor", "Olga", "Elena", "Dmitry", "Pavel", "Andrey", "Maria"]


@dataclass
class Plan:
    """What to generate, and what the batches share (the one password hash, staff and manager ids,
    the request types, the SLA)."""

    parties: int
    scale: float
    batch_size: int
    password_hash: str
    big_requests: int = 0  # requests of each big customer
    managers: dict[int, int] = field(default_factory=dict)  # manager number -> user id
    staff: dict[str, int] = field(default_factory=dict)  # fixed staff login -> user id
    request_types: list[dict] = field(default_factory=list)  # the bench request types' rows, with ids
    calendar: BusinessCalendar = field(default_factory=BusinessCalendar)
    sla: dict[str, tuple[int, bool]] = field(default_factory=dict)  # priority -> (hours, business hours?)
    library_folders: list[int] = field(default_factory=list)  # the bench folders' ids


@dataclass
class Batch:
    """The parties of one batch: their indexes (0-based, stable across runs) and ids.

    ``start`` moves per domain (a domain added later starts where its own
    progress ended); ``ids`` and ``people`` cover every party of the batch.
    """

    start: int
    stop: int
    ids: dict[int, int]  # party index -> id
    people: dict | None = None  # party id -> People, read once the customers are written


@dataclass
class People:
    """Who acts for one party: every member (authors of old items too), and the active ones."""

    members: list[int] = field(default_factory=list)
    active: list[int] = field(default_factory=list)


def per_party(rng: random.Random, mean: float) -> int:
    """A count around ``mean`` (0 to 2×mean), so parties differ as real ones do."""
    return int(rng.random() * 2 * mean + 0.5)


def party_row(i: int) -> dict:
    rng = random.Random(i)
    region, trade = REGIONS[rng.randrange(len(REGIONS))], TRADES[rng.randrange(len(TRADES))]
    form = "Holding" if i % GROUP_SIZE == 0 else FORMS[rng.randrange(len(FORMS) - 1)]
    city = CITIES[rng.randrange(len(CITIES))]
    return {
        "name": f"{region} {trade} {form}",
        "tax_id": f"{7700000000 + i * 7919 % 99999999:010d}",
        "address": f"{city}, {STREETS[rng.randrange(len(STREETS))]} {rng.randint(1, 250)}",
        "external_id": f"{PARTY_PREFIX}{i:07d}",
        "created_at": NOW - timedelta(days=rng.randint(0, 3650)),
    }


def holding_of(i: int) -> int | None:
    """The index of the holding party ``i`` belongs to, if any."""
    offset = i % GROUP_SIZE
    return i - offset if 1 <= offset <= HOLDING_MEMBERS else None


def add_parties(db, batch: Batch, plan: Plan) -> None:
    """Parties with their holding structure; fills ``batch.ids``."""
    indexes = range(batch.start, batch.stop)
    ids = _insert(db, Party, [party_row(i) for i in indexes], returning_ids=True)
    batch.ids.update(zip(indexes, ids))
    parents = {i: holding_of(i) for i in indexes if holding_of(i) is not None}
    missing = {p for p in parents.values() if p not in batch.ids}
    if missing:  # a holding written by an earlier batch or run
        rows = db.execute(select(Party.external_id, Party.id).where(
            Party.external_id.in_([f"{PARTY_PREFIX}{p:07d}" for p in missing])))
        batch.ids.update({int(ext[len(PARTY_PREFIX):]): pid for ext, pid in rows})
    if parents:
        db.execute(update(Party), [{"id": batch.ids[i], "parent_id": batch.ids[p]} for i, p in parents.items()])


def add_contracts(db, batch: Batch, plan: Plan) -> None:
    """One to a few contracts per party, some of them ended."""
    rows = []
    for i, party_id in _own(batch):
        rng = random.Random(-i)
        for j in range(max(1, per_party(rng, 2 * plan.scale))):
            start = date(2015, 1, 1) + timedelta(days=rng.randint(0, 3650))
            ended = rng.random() < 0.3
            rows.append({
                "party_id": party_id,
                "number": f"{TRADES[i % len(TRADES)][:2].upper()}-{start.year}/{i}-{j}",
                "valid_from": start,
                "valid_to": start + timedelta(days=rng.randint(365, 1500)) if ended else None,
                "external_id": f"BENCH-C{i:07d}-{j}",
            })
    _insert(db, Contract, rows)


def add_customers(db, batch: Batch, plan: Plan) -> None:
    """A party's employees; a holding's user is a member of the whole group."""
    users, member_of = [], []
    for i, party_id in _own(batch):
        rng = random.Random(i * 31 + 7)
        for j in range(per_party(rng, 1.5 * plan.scale)):
            users.append(_person(rng, f"{LOGIN_PREFIX}c{i:07d}-{j}", plan))
            member_of.append([party_id])
        if i % GROUP_SIZE == 0:
            group = [batch.ids[k] for k in range(i, i + HOLDING_MEMBERS + 1) if k in batch.ids]
            users.append(_person(rng, f"{LOGIN_PREFIX}h{i:07d}", plan))
            member_of.append(group)
    if not users:
        return
    user_ids = _insert(db, User, users, returning_ids=True)
    memberships = []
    for user_id, parties in zip(user_ids, member_of):
        rng = random.Random(user_id)
        for party_id in parties:
            roll = rng.random()
            state = (MembershipState.requested if roll < 0.03 else
                     MembershipState.revoked if roll < 0.05 else MembershipState.active)
            memberships.append({"user_id": user_id, "party_id": party_id, "state": state.value,
                                "created_at": NOW - timedelta(days=rng.randint(0, 1000))})
    _insert(db, Membership, memberships)


def add_big_customers(db, batch: Batch, plan: Plan) -> None:
    """A big customer's employees: a few more users, all active, who file its many requests."""
    users, parties = [], []
    for i, party_id in _own(batch):
        if i % BIG_EVERY == BIG_OFFSET:
            rng = random.Random(f"big/{i}")
            for j in range(BIG_USERS):
                users.append(_person(rng, f"{LOGIN_PREFIX}b{i:07d}-{j}", plan) | {"state": UserState.active.value})
                parties.append(party_id)
    user_ids = _insert(db, User, users, returning_ids=True)
    _insert(db, Membership, [{"user_id": user_id, "party_id": party_id, "state": MembershipState.active.value,
                              "created_at": NOW - timedelta(days=HISTORY_DAYS)}
                             for user_id, party_id in zip(user_ids, parties)])


def add_managers(db, batch: Batch, plan: Plan) -> None:
    """Account managers, each responsible for a run of PARTIES_PER_MANAGER parties."""
    rows = []
    for i, party_id in _own(batch):
        number = i // PARTIES_PER_MANAGER
        if number not in plan.managers:
            plan.managers[number] = _staff_user(db, f"{LOGIN_PREFIX}m{number:05d}", Role.manager, plan)
        rows.append({"user_id": plan.managers[number], "party_id": party_id})
    _insert(db, ManagerAssignment, rows)


# --- workflow items: requests, tickets, change requests, messages ----------------------------
# code, names, staff group, default priority, due hours, subjects
REQUEST_TYPES = [
    ("bench-general", {"en": "General question", "ru": "Общий вопрос"}, "Bench back office", "normal", 72,
     ["Question about invoice {n}", "Change of the contact person", "Payment schedule for {month}",
      "Portal access for a new employee"]),
    ("bench-documents", {"en": "Copies of documents", "ru": "Копии документов"}, "Bench back office", "low", 120,
     ["Reconciliation act for {month}", "Copy of contract {n}", "Copies of invoices for {month}"]),
    ("bench-connection", {"en": "New connection", "ru": "Новое подключение"}, "Bench dispatch", "high", 48,
     ["Second connection point at {street} {house}", "Capacity increase to {kw} kW",
      "Temporary connection for construction works"]),
    ("bench-meter", {"en": "Meter service", "ru": "Обслуживание счётчика"}, "Bench dispatch", "normal", 96,
     ["Replacement of meter {n}", "Seal check on meter {n}", "Meter {n} shows no consumption"]),
]
STAFF_GROUPS = {"Bench dispatch": "bench-service", "Bench back office": "bench-backoffice"}
TICKET_SUBJECTS = ["Meter display is blank at {street} {house}", "Seal broken on meter {n}",
                   "No supply at {street} {house} since this morning", "Pressure drop in the {month} readings",
                   "Wagon {n} stands idle at the station", "Damaged pallet in delivery {n}"]
THREAD_SUBJECTS = ["Tariff change from {month}", "Contact for the warehouse at {street} {house}",
                   "Invoice {n}: wrong amount?", "Planned outage on {street}", "Documents for the audit",
                   "Meeting about the new contract"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December"]
PRIORITIES = {"low": 20, "normal": 50, "high": 22, "critical": 8}

# Which state an item is in by its age (weights), and the transitions that lead to each state.
REQUEST_STATES = {
    "recent": {"new": 15, "assigned": 15, "in_progress": 25, "waiting": 12, "resolved": 18, "closed": 15},
    "old": {"new": 1, "assigned": 1, "in_progress": 3, "waiting": 3, "resolved": 5, "closed": 87},
}
REQUEST_PATHS = {
    "new": {(): 1},
    "assigned": {("assign",): 4, ("assign", "assign"): 1},
    "in_progress": {("assign", "start"): 3, ("assign", "start", "ask_customer", "answer"): 1},
    "waiting": {("assign", "start", "ask_customer"): 1},
    "resolved": {("assign", "start", "resolve"): 3, ("assign", "start", "ask_customer", "answer", "resolve"): 1},
    "closed": {("assign", "start", "resolve", "confirm"): 6, ("assign", "start", "resolve", "auto_close"): 3,
               ("assign", "start", "resolve", "reopen", "resolve", "confirm"): 1},
}
TICKET_STATES = {
    "recent": {"new": 15, "assigned": 15, "in_progress": 25, "on_hold": 10, "resolved": 15, "closed": 20},
    "old": {"new": 1, "assigned": 1, "in_progress": 3, "on_hold": 3, "resolved": 4, "closed": 88},
}
TICKET_PATHS = {
    "new": {(): 1},
    "assigned": {("assign",): 1},
    "in_progress": {("assign", "start"): 3, ("assign", "start", "hold", "resume"): 1},
    "on_hold": {("assign", "start", "hold"): 1},
    "resolved": {("assign", "start", "resolve"): 1},
    "closed": {("assign", "start", "resolve", "confirm"): 3, ("assign", "start", "resolve", "close"): 2,
               ("assign", "start", "resolve", "reopen", "resolve", "close"): 1},
}
CHANGE_STATES = {
    "recent": {"draft": 20, "submitted": 30, "approved": 3, "applied": 30, "rejected": 10, "withdrawn": 7},
    "old": {"draft": 5, "submitted": 3, "approved": 1, "applied": 66, "rejected": 15, "withdrawn": 10},
}
CHANGE_PATHS = {
    "draft": {(): 1},
    "submitted": {("submit",): 1},
    "approved": {("submit", "approve"): 1},
    "applied": {("submit", "approve", "apply"): 1},
    "rejected": {("submit", "reject"): 1},
    "withdrawn": {("withdraw",): 1, ("submit", "withdraw"): 2},
}
# Hours from the step before to a transition (uniform between the two).
GAP_HOURS = {
    "assign": (0.5, 24), "start": (1, 48), "ask_customer": (2, 72), "answer": (1, 96), "resolve": (4, 120),
    "confirm": (2, 96), "auto_close": (AUTO_CLOSE_DAYS * 24, AUTO_CLOSE_DAYS * 24 + 12), "reopen": (4, 72),
    "hold": (2, 48), "resume": (4, 120), "close": (1, 48), "submit": (0.1, 48), "withdraw": (1, 240),
    "approve": (2, 72), "apply": (0.001, 0.01), "reject": (2, 72),
}
COMMENTS = {
    "ask_customer": "Please attach the single-line diagram and the power of attorney.",
    "answer": "Both are attached; the diagram is signed by our chief engineer.",
    "resolve": "Done; the documents are in your account.",
    "reopen": "The problem is back since this morning.",
    "hold": "Waiting for a spare part from the manufacturer.",
    "reject": "The new bank account is not confirmed by the bank's letter.",
}
CHANNELS = ["email", "post", "portal", "edi"]


def _check_paths(workflow, paths: dict) -> None:
    """Every path is a run of the workflow's own transitions ending in its state (checked on import)."""
    for final, choices in paths.items():
        for path in choices:
            state = workflow.initial
            for name in path:
                transition = workflow.transitions[name]
                assert state in transition.from_states, (workflow.name, path)
                state = transition.to_state
            assert state == final, (workflow.name, path)
    assert set(paths) == set(workflow.states), workflow.name  # every state is generated


for _workflow, _paths in ((REQUEST, REQUEST_PATHS), (SERVICE_TICKET, TICKET_PATHS), (CHANGE_REQUEST, CHANGE_PATHS)):
    _check_paths(_workflow, _paths)


def add_workflow_setup(db, plan: Plan) -> None:
    """Bench staff groups and request types (idempotent), and the SLA in force, for the item domains."""
    groups = {}
    for name, login in STAFF_GROUPS.items():
        groups[name] = db.scalar(select(StaffGroup.id).where(StaffGroup.name == name))
        if groups[name] is None:
            groups[name] = db.scalar(insert(StaffGroup).values(name=name).returning(StaffGroup.id))
            db.execute(insert(StaffGroupMember).values(group_id=groups[name], user_id=plan.staff[login]))
    plan.request_types = []
    for code, names, group, priority, hours, subjects in REQUEST_TYPES:
        type_id = db.scalar(select(RequestType.id).where(RequestType.code == code))
        if type_id is None:
            type_id = db.scalar(insert(RequestType).values(
                code=code, names=names, group_id=groups[group], default_priority=priority, due_hours=hours,
                active=True).returning(RequestType.id))
        plan.request_types.append({"id": type_id, "group_id": groups[group], "priority": priority,
                                   "due_hours": hours, "subjects": subjects,
                                   "dispatch": group == "Bench dispatch"})
    plan.sla = {priority: (hours, False) for priority, hours in DEFAULT_HOURS.items()}
    plan.sla.update({p.priority: (p.resolve_hours, p.business_hours) for p in db.scalars(select(SlaPolicy))})


# The library: documents for every customer (some staff-only or withdrawn), and documents for chosen
# parties (one now and then, a few hundred for each big customer, some of them "new" to it).
LIBRARY_PREFIX, LIBRARY_FOLDER_PREFIX = "Bench document", "Bench folder"
LIBRARY_FOLDERS, LIBRARY_DOCUMENTS, BIG_CHOSEN_DOCUMENTS, BIG_NEW_DOCUMENTS = 6, 1500, 300, 20
LIBRARY_TAGS = ["contract", "tariff", "form", "template", "report", "agreement", "2025", "2026", "water", "gas"]


def _library_document(rng: random.Random, title: str, folders: list[int], *, visibility="all", state="published"):
    """A document row and its one version's row (no file: the list never reads the store)."""
    updated = NOW - timedelta(days=rng.randint(0, HISTORY_DAYS))
    document = {"title_en": title, "title_ru": None, "folder_id": rng.choice(folders),
                "tags": ", ".join(sorted(set(rng.sample(LIBRARY_TAGS, rng.randint(1, 3))))),
                "visibility": visibility, "state": state, "version": 1, "created_at": updated,
                "updated_at": updated, "withdrawn_at": updated if state == "withdrawn" else None}
    version = {"number": 1, "filename": title.replace(" ", "-").lower() + ".pdf", "content_type": "application/pdf",
               "size": rng.randint(20_000, 2_000_000), "sha256": f"{rng.getrandbits(256):064x}", "created_at": updated}
    return document, version


def _write_documents(db, pairs: list[tuple[dict, dict]]) -> list[int]:
    ids = _insert(db, Document, [d for d, _v in pairs], returning_ids=True)
    _insert(db, DocumentVersion, [v | {"document_id": i} for (_d, v), i in zip(pairs, ids)])
    return ids


def add_library(db, plan: Plan) -> None:
    """The bench folders and the documents meant for every customer (idempotent)."""
    folders = db.scalars(select(DocumentFolder.id).where(DocumentFolder.title_en.like(LIBRARY_FOLDER_PREFIX + "%"))
                         .order_by(DocumentFolder.id)).all()
    if not folders:
        folders = _insert(db, DocumentFolder, [{"title_en": f"{LIBRARY_FOLDER_PREFIX} {n}", "title_ru": None}
                                               for n in range(1, LIBRARY_FOLDERS + 1)], returning_ids=True)
    plan.library_folders = list(folders)
    if db.scalar(select(Document.id).where(Document.title_en.like(LIBRARY_PREFIX + " A%")).limit(1)) is not None:
        return
    rng, pairs = random.Random("library"), []
    for n in range(LIBRARY_DOCUMENTS):
        roll = rng.random()
        visibility, state = ("staff", "published") if roll < 0.08 else ("all", "withdrawn") if roll < 0.15 else (
            "all", "published")
        pairs.append(_library_document(rng, f"{LIBRARY_PREFIX} A{n:05d}", folders, visibility=visibility,
                                       state=state))
    _write_documents(db, pairs)


def add_party_documents(db, batch: Batch, plan: Plan) -> None:
    """Documents for chosen parties: one for a party now and then, hundreds for each big customer (a few
    of them attached to it: "new" on its home)."""
    pairs, owners, new = [], [], []
    for i, party_id in _own(batch):
        rng = random.Random(f"documents/{i}")
        big = i % BIG_EVERY == BIG_OFFSET
        count = BIG_CHOSEN_DOCUMENTS if big else (1 if rng.random() < 0.05 else 0)
        for n in range(count):
            pairs.append(_library_document(rng, f"{LIBRARY_PREFIX} P{i:07d}-{n:04d}", plan.library_folders,
                                           visibility="chosen"))
            owners.append(party_id)
            new.append(big and n < BIG_NEW_DOCUMENTS)
    ids = _write_documents(db, pairs)
    _insert(db, DocumentParty, [{"document_id": d, "party_id": p} for d, p in zip(ids, owners)])
    _insert(db, DocumentNotice, [{"document_id": d, "party_id": p, "attached_at": NOW}
                                 for d, p, is_new in zip(ids, owners, new) if is_new])


def _people(db, batch: Batch) -> dict:
    """Party id -> People of the batch's parties (one query, after add_customers)."""
    if batch.people is None:
        ids = set(batch.ids.values())
        people = {party_id: People() for party_id in ids}
        rows = db.execute(
            select(Membership.party_id, Membership.user_id, Membership.state, User.state)
            .join(User, User.id == Membership.user_id)
            .where(Membership.party_id.between(min(ids), max(ids)))
            .order_by(Membership.party_id, Membership.user_id))
        for party_id, user_id, membership, user in rows:
            if party_id in ids:
                people[party_id].members.append(user_id)
                if membership == MembershipState.active.value and user == UserState.active.value:
                    people[party_id].active.append(user_id)
        batch.people = people
    return batch.people


def _filed_at(rng: random.Random) -> datetime:
    """A moment of the last two years, more of them recent (the business grows)."""
    return NOW - timedelta(days=HISTORY_DAYS * rng.random() ** 1.3, minutes=10 + rng.randint(0, 600))


def _weighted(rng: random.Random, weights: dict):
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _state_for(rng: random.Random, filed: datetime, states: dict, paths: dict) -> tuple:
    """The state an item filed at ``filed`` is in now, and the transitions that took it there."""
    age = "recent" if NOW - filed < timedelta(days=RECENT_DAYS) else "old"
    return _weighted(rng, paths[_weighted(rng, states[age])])


@dataclass
class Walk:
    """An item's history along a path: its final state, the history rows, when each transition was last taken."""

    state: str
    history: list[dict]
    taken: dict[str, datetime]

    def fields(self) -> dict:
        """The columns every workflow item shares: state, version (one per flush), last change."""
        return {"state": self.state, "version": len(self.history), "updated_at": self.history[-1]["at"]}


def walk(rng: random.Random, workflow, path: tuple, filed: datetime, actor) -> Walk:
    """Create at ``filed`` and take ``path`` (transition names), every step before NOW; ``actor(name)`` -> user id."""
    gaps = [rng.uniform(*GAP_HOURS[name]) for name in path]
    room = (NOW - filed).total_seconds() / 3600 * 0.95
    squeeze = min(1.0, room / sum(gaps)) if gaps else 1.0
    state, at = workflow.initial, filed
    history = [_history(workflow, CREATE, None, state, actor(CREATE), at, "")]
    taken = {CREATE: at}
    for name, gap in zip(path, gaps):
        transition = workflow.transitions[name]
        at += timedelta(hours=gap * squeeze)
        comment = COMMENTS.get(name, "Done.") if transition.comment_required else ""
        history.append(_history(workflow, name, state, transition.to_state, actor(name), at, comment))
        state, taken[name] = transition.to_state, at
    return Walk(state, history, taken)


def _history(workflow, transition, from_state, to_state, actor_id, at, comment) -> dict:
    return {"workflow": workflow.name, "item_id": None, "transition": transition, "from_state": from_state,
            "to_state": to_state, "actor_id": actor_id, "at": at, "comment": comment}


def _write_items(db, model, rows: list[dict], walks: list[Walk]) -> list[int]:
    """Insert the items, then their history rows naming them; the items' ids."""
    ids = _insert(db, model, rows, returning_ids=True)
    history = []
    for item_id, item_walk in zip(ids, walks):
        for entry in item_walk.history:
            entry["item_id"] = item_id
            history.append(entry)
    _insert(db, WorkflowHistory, history)
    return ids


def _text(rng: random.Random, template: str) -> str:
    return template.format(n=rng.randint(100, 99999), month=rng.choice(MONTHS), street=rng.choice(STREETS),
                           house=rng.randint(1, 250), kw=rng.choice([40, 63, 100, 150, 250]))


def _author(rng: random.Random, people: People) -> int | None:
    """A party's user; an old item's author may have lost access since, or left (None)."""
    if people.active and rng.random() < 0.85:
        return rng.choice(people.active)
    return rng.choice(people.members) if people.members else None


def add_requests(db, batch: Batch, plan: Plan) -> None:
    """Requests in every state of the request workflow; a big customer has thousands."""
    people = _people(db, batch)
    rows, walks = [], []
    for i, party_id in _own(batch):
        rng = random.Random(f"requests/{i}")
        manager = plan.managers[i // PARTIES_PER_MANAGER]
        count = plan.big_requests if i % BIG_EVERY == BIG_OFFSET else per_party(rng, 20 * plan.scale)
        for _ in range(count):
            kind = rng.choice(plan.request_types)
            author = _author(rng, people[party_id])
            if kind["dispatch"]:
                assigner, assignee = plan.staff["bench-service"], (
                    plan.staff["bench-service"] if rng.random() < 0.8 else manager)
            else:
                assigner, assignee = plan.staff["bench-backoffice"], (
                    plan.staff["bench-backoffice"] if rng.random() < 0.6 else manager)
            actors = {"assign": assigner, "start": assignee, "ask_customer": assignee, "resolve": assignee,
                      "auto_close": None}
            filed = _filed_at(rng)
            path = _state_for(rng, filed, REQUEST_STATES, REQUEST_PATHS)
            item = walk(rng, REQUEST, path, filed, lambda name: actors.get(name, author))
            closed = item.state == "closed"
            rows.append(item.fields() | {
                "party_id": party_id, "type_id": kind["id"], "author_id": author,
                "subject": _text(rng, rng.choice(kind["subjects"])),
                "body": _text(rng, "Please see the details below.\nOur reference {n}, contact at {street} {house}."),
                "priority": kind["priority"], "group_id": kind["group_id"],
                "assignee_id": assignee if "assign" in path else None,
                "due_at": filed + timedelta(hours=kind["due_hours"]), "created_at": filed,
                "resolved_at": item.taken["resolve"] if item.state in ("resolved", "closed") else None,
                "closed_at": (item.taken.get("confirm") or item.taken.get("auto_close")) if closed else None,
            })
            walks.append(item)
    _write_items(db, CustomerRequest, rows, walks)


def sla_due(plan: Plan, priority: str, start: datetime) -> datetime:
    """services/sla.py's due time, from the SLA read once rather than per ticket."""
    hours, business = plan.sla[priority]
    return plan.calendar.add(start, hours) if business else start + timedelta(hours=hours)


def add_tickets(db, batch: Batch, plan: Plan) -> None:
    """Service tickets in every state, with priorities and their SLA due times."""
    people = _people(db, batch)
    rows, walks = [], []
    for i, party_id in _own(batch):
        rng = random.Random(f"tickets/{i}")
        manager = plan.managers[i // PARTIES_PER_MANAGER]
        for _ in range(per_party(rng, 5 * plan.scale)):
            author = _author(rng, people[party_id])
            assignee = plan.staff["bench-service"] if rng.random() < 0.7 else manager
            actors = {"assign": plan.staff["bench-service"], "start": assignee, "hold": assignee,
                      "resume": assignee, "resolve": assignee, "close": assignee}
            filed = _filed_at(rng)
            priority = _weighted(rng, PRIORITIES)
            path = _state_for(rng, filed, TICKET_STATES, TICKET_PATHS)
            item = walk(rng, SERVICE_TICKET, path, filed, lambda name: actors.get(name, author))
            rows.append(item.fields() | {
                "party_id": party_id, "author_id": author, "priority": priority,
                "subject": _text(rng, rng.choice(TICKET_SUBJECTS)),
                "body": _text(rng, "Noticed this morning at {street} {house}; our contact is on site until 18:00."),
                "group_id": None, "assignee_id": assignee if "assign" in path else None,
                "due_at": sla_due(plan, priority, filed), "created_at": filed,
                "resolved_at": item.taken["resolve"] if item.state in ("resolved", "closed") else None,
                "closed_at": (item.taken.get("confirm") or item.taken.get("close")) if item.state == "closed" else None,
            })
            walks.append(item)
    _write_items(db, ServiceTicket, rows, walks)


def _new_value(rng: random.Random, name: str, i: int, now):
    """A new value of a master data field, never the one the party has (the submit guard's rule)."""
    if name == "invoice_channel":
        return rng.choice([channel for channel in CHANNELS if channel != now])
    return {
        "billing_address": _text(rng, "{street} {house}, office {n}"),
        "contact_person": f"{rng.choice(LAST_NAMES)} {rng.choice(FIRST_NAMES)}",
        "email": f"office{rng.randint(1, 999)}@party{i}.example",
        "phone": f"+7 495 {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        "bank_name": f"Bank {rng.choice(LAST_NAMES)}",
        "bank_bic": f"0445{rng.randint(10**4, 10**5 - 1)}",
        "bank_account": f"40702810{rng.randint(10**11, 10**12 - 1)}",
        "invoice_email": f"invoices{rng.randint(1, 999)}@party{i}.example",
    }[name]


def add_changes(db, batch: Batch, plan: Plan) -> None:
    """Change requests in every state; what was applied is on the party, as the workflow leaves it."""
    people = _people(db, batch)
    rows, walks, parties = [], [], []
    for i, party_id in _own(batch):
        rng = random.Random(f"changes/{i}")
        decider = plan.staff["bench-backoffice"] if rng.random() < 0.6 else plan.managers[i // PARTIES_PER_MANAGER]
        current = dict.fromkeys(FIELDS)  # the party's master data as the requests change it
        filed_times = sorted(_filed_at(rng) for _ in range(per_party(rng, plan.scale)))
        for filed in filed_times:
            author = _author(rng, people[party_id])
            actors = {"approve": decider, "apply": decider, "reject": decider}
            path = _state_for(rng, filed, CHANGE_STATES, CHANGE_PATHS)
            item = walk(rng, CHANGE_REQUEST, path, filed, lambda name: actors.get(name, author))
            changes = {name: _new_value(rng, name, i, current[name])
                       for name in rng.sample(list(FIELDS), rng.randint(1, 3))}
            decided = item.taken.get("approve") or item.taken.get("reject")
            rows.append(item.fields() | {
                "party_id": party_id, "author_id": author, "changes": changes,
                "previous": dict(current) if "submit" in path else {},
                "reason": COMMENTS["reject"] if item.state == "rejected" else "",
                "decided_by_id": decider if decided else None, "decided_at": decided,
                "applied_at": item.taken.get("apply"), "exported_at": None, "created_at": filed,
            })
            walks.append(item)
            if item.state == "applied":
                current.update(changes)
        if any(value is not None for value in current.values()):
            parties.append({"id": party_id, **current})
    _write_items(db, ChangeRequest, rows, walks)
    if parties:
        db.execute(update(Party), parties)


def add_messages(db, batch: Batch, plan: Plan) -> None:
    """Threads between a party and the company, each message with a receipt per recipient.

    Recipients as services/messages.py decides them: staff write to the
    party's active users; the party writes to its manager and the staff who
    answered in the thread. A message's state is the furthest a recipient got.
    """
    people = _people(db, batch)
    threads, conversations = [], []
    answering = {plan.staff["bench-service"], plan.staff["bench-backoffice"]}
    for i, party_id in _own(batch):
        rng = random.Random(f"messages/{i}")
        manager = plan.managers[i // PARTIES_PER_MANAGER]
        staff = [manager, manager, plan.staff["bench-service"], plan.staff["bench-backoffice"]]
        customers = people[party_id].active
        for _ in range(per_party(rng, 3 * plan.scale)):
            count = max(1, per_party(rng, 3))
            filed = _filed_at(rng)
            gaps = [rng.uniform(0.5, 72) for _ in range(count - 1)]
            squeeze = min(1.0, (NOW - filed).total_seconds() / 3600 * 0.5 / sum(gaps)) if gaps else 1.0
            from_staff = not customers or rng.random() < 0.4
            messages, at, answered = [], filed, set()
            for n in range(count):
                at += timedelta(hours=gaps[n - 1] * squeeze) if n else timedelta(0)
                author = rng.choice(staff) if from_staff else rng.choice(customers)
                recipients = set(customers) if from_staff else {manager} | answered
                recipients.discard(author)
                if from_staff and author in answering:
                    answered.add(author)
                messages.append(_message(rng, party_id, author, from_staff, at, sorted(recipients)))
                from_staff = not from_staff if customers else True
            threads.append({"party_id": party_id, "subject": _text(rng, rng.choice(THREAD_SUBJECTS)),
                            "created_by_id": messages[0][0]["author_id"], "created_at": filed, "last_message_at": at})
            conversations.append(messages)
    thread_ids = _insert(db, MessageThread, threads, returning_ids=True)
    rows, walks, receipts = [], [], []
    for thread_id, messages in zip(thread_ids, conversations):
        for row, item, message_receipts in messages:
            rows.append(row | {"thread_id": thread_id})
            walks.append(item)
            receipts.append(message_receipts)
    for message_id, message_receipts in zip(_write_items(db, Message, rows, walks), receipts):
        for receipt in message_receipts:
            receipt["message_id"] = message_id
    _insert(db, MessageReceipt, [r for message_receipts in receipts for r in message_receipts])


def _message(rng: random.Random, party_id, author, from_staff, at, recipients) -> tuple[dict, Walk, list[dict]]:
    """One message, its history (created, then delivered and read by the first to get that far), its receipts."""
    room = (NOW - at).total_seconds() / 3600
    recent = room < 14 * 24
    receipts = []
    for user_id in recipients:
        roll, delivered, read = rng.random(), None, None
        if roll < (0.5 if recent else 0.9):
            delivered = at + timedelta(hours=rng.uniform(0, room * 0.4))
            read = delivered + timedelta(hours=rng.uniform(0, room * 0.4)) if rng.random() < 0.5 else delivered
        elif roll < (0.8 if recent else 0.97):
            delivered = at + timedelta(hours=rng.uniform(0, room * 0.8))
        receipts.append({"message_id": None, "user_id": user_id, "delivered_at": delivered, "read_at": read})
    history, state = [_history(MESSAGE, CREATE, None, "sent", author, at, "")], "sent"
    first_delivery = min((r for r in receipts if r["delivered_at"]), key=lambda r: r["delivered_at"], default=None)
    first_read = min((r for r in receipts if r["read_at"]), key=lambda r: r["read_at"], default=None)
    if first_delivery and (first_read is None or first_delivery["delivered_at"] < first_read["read_at"]):
        history.append(_history(MESSAGE, "deliver", state, "delivered", first_delivery["user_id"],
                                first_delivery["delivered_at"], ""))
        state = "delivered"
    if first_read:
        history.append(_history(MESSAGE, "read", state, "read", first_read["user_id"], first_read["read_at"], ""))
        state = "read"
    row = {"party_id": party_id, "author_id": author, "from_staff": from_staff, "state": state,
           "version": len(history), "created_at": at,
           "body": _text(rng, "Good afternoon! Regarding {street} {house}: see invoice {n}. Regards.")}
    return row, Walk(state, history, {}), receipts


# --- finance: invoices with their lines -------------------------------------------------------
BIG_INVOICES = 1200  # invoices of a big customer at --scale 1 (its list pages and sums over them)
INVOICE_SERVICES = [("Electricity, single-rate tariff", "kWh", 6.4521), ("Transmission of electricity", "kWh", 1.873),
                    ("Freight forwarding", "trip", 38500.0), ("Container handling, 40 ft", "TEU", 7400.0),
                    ("Water supply", "m³", 48.31), ("Storage at the warehouse", "pallet·day", 95.5)]


def _cents(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def add_invoices(db, batch: Batch, plan: Plan) -> None:
    """Invoices of two lines each, issued over the last two years, mostly paid, some partly, some not,
    a few cancelled; a big customer has BIG_INVOICES of them."""
    invoices, lines = [], []
    today = NOW.date()
    for i, party_id in _own(batch):
        rng = random.Random(f"invoices/{i}")
        big = i % BIG_EVERY == BIG_OFFSET
        count = round(BIG_INVOICES * plan.scale) if big else max(1, per_party(rng, 6 * plan.scale))
        for n in range(count):
            issued = today - timedelta(days=rng.randrange(0, HISTORY_DAYS))
            period_end = issued.replace(day=1) - timedelta(days=1)
            rows = []
            for position in (1, 2):
                description, unit, price = INVOICE_SERVICES[rng.randrange(len(INVOICE_SERVICES))]
                quantity = Decimal(rng.randint(1, 20000)) / 10
                net = _cents(quantity * Decimal(str(price)))
                vat = _cents(net * Decimal("0.2"))
                rows.append({"position": position, "description": description, "quantity": quantity, "unit": unit,
                             "unit_price": Decimal(str(price)), "vat_rate": Decimal(20), "net_amount": net,
                             "vat_amount": vat, "total_amount": net + vat})
            total = sum(r["total_amount"] for r in rows)
            roll = rng.random()
            paid = total if roll < 0.7 else _cents(total * Decimal("0.4")) if roll < 0.78 else Decimal("0.00")
            invoices.append({
                "party_id": party_id, "number": f"B{i:07d}/{n:05d}", "issue_date": issued,
                "due_date": issued + timedelta(days=rng.randint(10, 30)), "period_start": period_end.replace(day=1),
                "period_end": period_end, "currency": "EUR" if rng.random() < 0.02 else "RUB",
                "net_amount": sum(r["net_amount"] for r in rows), "vat_amount": sum(r["vat_amount"] for r in rows),
                "total_amount": total, "paid_amount": paid, "cancelled": roll > 0.98,
                "external_id": f"BENCH-I{i:07d}-{n:05d}", "created_at": NOW, "updated_at": NOW})
            lines.append(rows)
    ids = _insert(db, Invoice, invoices, returning_ids=True)
    _insert(db, InvoiceLine, [row | {"invoice_id": invoice_id} for invoice_id, rows in zip(ids, lines) for row in rows])


# --- utility: supply points ------------------------------------------------------------------
BIG_SUPPLY_POINTS = 400  # supply points of a big customer at --scale 1 (its list pages and sorts)
STREETS = ["Lenina", "Sadovaya", "Zavodskaya", "Naberezhnaya", "Mira", "Gagarina", "Sovetskaya", "Portovaya"]
MEDIA = ["electricity", "electricity", "water", "gas", "heat"]


def add_supply_points(db, batch: Batch, plan: Plan) -> None:
    """Supply points of every party (a big customer has BIG_SUPPLY_POINTS), each under one of its
    contracts, a few disconnected, some open for self-readings."""
    own = list(_own(batch))
    contracts = {}
    for contract_id, party_id in db.execute(select(Contract.id, Contract.party_id).where(
            Contract.party_id.in_([party_id for _i, party_id in own])).order_by(Contract.id)):
        contracts.setdefault(party_id, []).append(contract_id)
    rows = []
    for i, party_id in own:
        rng = random.Random(f"supply-points/{i}")
        big = i % BIG_EVERY == BIG_OFFSET
        count = round(BIG_SUPPLY_POINTS * plan.scale) if big else max(1, per_party(rng, 1.5 * plan.scale))
        for n in range(count):
            medium = MEDIA[rng.randrange(len(MEDIA))]
            options = contracts.get(party_id)
            rows.append({
                "party_id": party_id, "external_id": f"BENCH-SP{i:07d}-{n:05d}",
                "address": f"{STREETS[rng.randrange(len(STREETS))]} {rng.randint(1, 200)}, unit {n + 1}",
                "medium": medium, "tariff": "Day/night" if medium == "electricity" and rng.random() < 0.5 else "Single rate",
                "contract_id": options[rng.randrange(len(options))] if options else None,
                "state": "disconnected" if rng.random() < 0.05 else "active",
                "self_readings": rng.random() < 0.3, "created_at": NOW, "updated_at": NOW})
    _insert(db, SupplyPoint, rows)


# Domains written for each batch of parties, in order; later domains go here.
DOMAINS = [add_parties, add_contracts, add_customers, add_big_customers, add_managers,
           add_requests, add_tickets, add_changes, add_messages, add_party_documents, add_invoices,
           add_supply_points]
# Domains that came after the first data sets were made, each with what tells a party it has written for.
PROGRESS = {
    add_big_customers: lambda: exists(select(Membership.id).join(User, User.id == Membership.user_id).where(
        Membership.party_id == Party.id, User.login.like(f"{LOGIN_PREFIX}b_______-%"))),
    add_requests: lambda: exists().where(CustomerRequest.party_id == Party.id),
    add_tickets: lambda: exists().where(ServiceTicket.party_id == Party.id),
    add_changes: lambda: exists().where(ChangeRequest.party_id == Party.id),
    add_messages: lambda: exists().where(MessageThread.party_id == Party.id),
    add_party_documents: lambda: exists().where(DocumentParty.party_id == Party.id),
    add_invoices: lambda: exists().where(Invoice.party_id == Party.id),
    add_supply_points: lambda: exists().where(SupplyPoint.party_id == Party.id),
}
# The workflow items benchmark parties have, whose history rows --reset removes.
ITEMS = [(REQUEST, CustomerRequest), (SERVICE_TICKET, ServiceTicket), (CHANGE_REQUEST, ChangeRequest),
         (MESSAGE, Message)]


def add_staff(db, plan: Plan) -> None:
    """The fixed staff logins bench/run logs in with (idempotent)."""
    for login, role in STAFF:
        plan.staff[login] = _staff_user(db, login, role, plan)


def _own(batch: Batch):
    """(index, id) of the parties the domain writes for (not holdings looked up from earlier batches)."""
    return ((i, batch.ids[i]) for i in range(batch.start, batch.stop))


def _person(rng: random.Random, login: str, plan: Plan) -> dict:
    last, first = LAST_NAMES[rng.randrange(len(LAST_NAMES))], FIRST_NAMES[rng.randrange(len(FIRST_NAMES))]
    logged_in = rng.random() < 0.7
    return {
        "login": login, "last_name": last, "first_name": first,
        "email": f"{login}@bench.example", "phone": f"+7 9{rng.randint(10, 99)} {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
        "language": rng.choice(["ru", "en", None]),
        "state": UserState.blocked.value if rng.random() < 0.02 else UserState.active.value,
        "password_hash": plan.password_hash,
        "last_login_at": NOW - timedelta(minutes=rng.randint(0, 200_000)) if logged_in else None,
        "created_at": NOW - timedelta(days=rng.randint(0, 2000)),
    }


def _staff_user(db, login: str, role: Role, plan: Plan) -> int:
    user_id = db.scalar(select(User.id).where(User.login == login))
    if user_id is None:
        rng = random.Random(login)
        row = _person(rng, login, plan) | {"state": UserState.active.value}
        user_id = db.scalar(insert(User).values(**row).returning(User.id))
        db.execute(insert(UserRole), [{"user_id": user_id, "role": role.value}])
    return user_id


def _insert(db, model, rows: list[dict], *, returning_ids=False):
    """A multi-row INSERT into the model's table (ids in the rows' order when asked).

    Core on ``model.__table__`` rather than an ORM bulk insert: the ORM splits
    rows by which of their values are None and splices RETURNING results, which
    grows with the square of the batch.
    """
    table = model.__table__
    if not rows:
        return []
    if returning_ids and db.get_bind().dialect.name == "postgresql":
        # Ids drawn from the table's sequence, then a plain executemany: RETURNING through
        # insertmanyvalues costs two to three times as much on PostgreSQL.
        ids = db.scalars(select(func.nextval(func.pg_get_serial_sequence(table.name, "id")))
                         .select_from(func.generate_series(1, len(rows)))).all()
        db.execute(insert(table), [dict(row, id=item_id) for row, item_id in zip(rows, ids)])
        return ids
    if returning_ids:
        return db.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
    db.execute(insert(table), rows)
    return []


def existing_parties(db) -> int:
    return db.scalar(select(func.count()).select_from(Party).where(Party.external_id.like(PARTY_PREFIX + "%")))


def progress(db, domain, parties_there: int) -> int:
    """The first party index ``domain`` has yet to write for.

    A domain of ``PROGRESS`` is done up to the last benchmark party holding
    one of its rows: the parties after it have none, and writing them again
    writes none again (each party's rows come from its own seeded generator).
    """
    written = PROGRESS.get(domain)
    if written is None:
        return parties_there
    last = db.scalar(
        select(Party.external_id).where(Party.external_id.like(PARTY_PREFIX + "%"), written())
        .order_by(Party.external_id.desc()).limit(1))
    return 0 if last is None else int(last[len(PARTY_PREFIX):]) + 1


def written_ids(db, start: int, stop: int) -> dict[int, int]:
    """Index -> id of the benchmark parties start..stop-1 an earlier run wrote."""
    if start >= stop:
        return {}
    rows = db.execute(select(Party.external_id, Party.id).where(
        Party.external_id.between(f"{PARTY_PREFIX}{start:07d}", f"{PARTY_PREFIX}{stop - 1:07d}")))
    return {int(ext[len(PARTY_PREFIX):]): party_id for ext, party_id in rows}


def big_customer(db) -> tuple[int, str]:
    """The first big customer's id and the login of one of its active users (bench/run logs in with it)."""
    party_id = db.scalar(select(Party.id).where(Party.external_id == f"{PARTY_PREFIX}{BIG_OFFSET:07d}"))
    login = db.scalar(
        select(User.login).join(Membership, Membership.user_id == User.id)
        .where(Membership.party_id == party_id, Membership.state == MembershipState.active.value,
               User.state == UserState.active.value)
        .order_by(User.login).limit(1))
    if party_id is None or login is None:
        raise LookupError(f"no big customer with an active user (party {PARTY_PREFIX}{BIG_OFFSET:07d})")
    return party_id, login


def reset(db) -> None:
    """Remove every benchmark row; what hangs off a party or a user goes by cascade."""
    bench_parties = select(Party.id).where(Party.external_id.like(PARTY_PREFIX + "%"))
    for workflow, model in ITEMS:  # the history names its items by id alone: no cascade reaches it
        db.execute(delete(WorkflowHistory).where(
            WorkflowHistory.workflow == workflow.name,
            WorkflowHistory.item_id.in_(select(model.id).where(model.party_id.in_(bench_parties)))))
    # Parties (and their items) before users: deleting a user nulls its id in every item table,
    # which without the benchmark items left is a look at small tables, not a scan per user.
    db.execute(delete(Party).where(Party.external_id.like(PARTY_PREFIX + "%")))
    db.execute(delete(User).where(User.login.like(LOGIN_PREFIX + "%")))
    db.execute(delete(RequestType).where(RequestType.code.like(LOGIN_PREFIX + "%")))
    db.execute(delete(StaffGroup).where(StaffGroup.name.in_(list(STAFF_GROUPS))))
    db.execute(delete(Document).where(Document.title_en.like(LIBRARY_PREFIX + "%")))
    db.execute(delete(DocumentFolder).where(DocumentFolder.title_en.like(LIBRARY_FOLDER_PREFIX + "%")))


def generate(settings, parties: int, *, scale=1.0, big_requests=None, batch_size=5000, do_reset=False,
             log=print) -> int:
    """Bring the benchmark rows up to ``parties`` parties; returns how many parties were added.

    ``big_requests`` (default BIG_REQUESTS × scale) is what each big customer files.
    """
    batch_size = max(GROUP_SIZE, batch_size // GROUP_SIZE * GROUP_SIZE)  # holdings stay in one batch
    with db_session(settings) as db:
        if do_reset:
            reset(db)
        start = existing_parties(db)
        plan = Plan(parties, scale, batch_size, password_service_from_settings(settings).hash(PASSWORD),
                    big_requests=round(BIG_REQUESTS * scale) if big_requests is None else big_requests,
                    calendar=BusinessCalendar.from_settings(settings))
        add_staff(db, plan)
        add_workflow_setup(db, plan)
        add_library(db, plan)
        plan.managers = {int(login[len(LOGIN_PREFIX) + 1:]): uid for login, uid in db.execute(
            select(User.login, User.id).where(User.login.like(LOGIN_PREFIX + "m%")))}
        starts = {domain: progress(db, domain, start) for domain in DOMAINS}
    began = time.monotonic()
    first = min(starts.values())
    while first < parties:
        # Batches end on multiples of batch_size, so a holding and its members share one.
        batch = Batch(first, min((first // batch_size + 1) * batch_size, parties), {})
        with db_session(settings) as db:
            batch.ids.update(written_ids(db, first, min(batch.stop, start)))
            for domain in DOMAINS:
                batch.start = max(first, starts[domain])
                if batch.start < batch.stop:
                    domain(db, batch, plan)
        log(f"  parties {batch.stop:,}/{parties:,}  ({time.monotonic() - began:.0f} s)")
        first = batch.stop
    vacuum(settings)
    return max(0, parties - start)


def vacuum(settings) -> None:
    """What autovacuum would have done by now, done at once: a server may run without it (this
    machine's does). Without statistics the planner takes a table for empty; without a vacuum the
    trigram indexes keep every row added since they were made in their pending list, and the
    search reads the whole table instead (12 ms, not 1 ms, at 10,000 parties)."""
    from portal.db import get_engine

    engine = get_engine(settings)
    try:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE" if engine.dialect.name == "postgresql" else "ANALYZE"))
    finally:
        engine.dispose()


def migrate(config_uri: str, settings) -> None:
    from alembic import command
    from portal.scripts.common import alembic_config

    command.upgrade(alembic_config(config_uri, settings), "head")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("config_uri", help="the .ini (PORTAL_DB_URL or --db-url overrides its database)")
    parser.add_argument("--db-url", help="the database to fill (else PORTAL_DB_URL, else the .ini's)")
    parser.add_argument("--parties", type=int, help="parties wanted in all (default 10,000; 1,000 on SQLite)")
    parser.add_argument("--scale", type=float, default=1.0,
                        help="multiplies the records per party: contracts (2 on average), customer users (1.5), "
                             "requests (20), service tickets (5), change requests (1), message threads (3)")
    parser.add_argument("--big-requests", type=int,
                        help=f"requests of each big customer (every {BIG_EVERY:,}th party; {BIG_REQUESTS:,} × scale)")
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--reset", action="store_true", help="remove every benchmark row first")
    args = parser.parse_args(argv)
    if args.db_url:
        os.environ["PORTAL_DB_URL"] = args.db_url
    settings = load_settings(args.config_uri)
    migrate(args.config_uri, settings)
    url = os.environ.get("PORTAL_DB_URL") or settings["sqlalchemy.url"]
    parties = args.parties if args.parties is not None else (1000 if url.startswith("sqlite") else 10_000)
    began = time.monotonic()
    added = generate(settings, parties, scale=args.scale, big_requests=args.big_requests,
                     batch_size=args.batch_size, do_reset=args.reset, log=lambda line: print(line, file=sys.stderr))
    print(f"{parties:,} benchmark parties ({added:,} added in {time.monotonic() - began:.1f} s); "
          f"staff logins {', '.join(login for login, _ in STAFF)}, password {PASSWORD!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
