"""``bench/generate.py <ini> --parties N [--scale S] [--reset]``: a realistic benchmark data set.

Parties (every 25th a holding with four member companies), their contracts,
customer users with memberships (a holding's user belongs to the whole group),
staff users and account managers with their assigned parties: written through
the project's own models with bulk inserts, one committed batch at a time.

It grows: a second run with a larger N adds only the parties that are missing
(and what hangs off them), a run with the same N changes nothing, and
``--reset`` removes every benchmark row first. Benchmark rows are marked
(``BENCH-`` accounting ids, ``bench-`` logins), so the rest of a database is
never touched.

Each domain is one ``add_<domain>(db, batch, plan)`` function in ``DOMAINS``;
a later domain (requests, tickets, invoices, readings, shipments) is one more
function there, given the batch's parties.
"""
import argparse
import os
import random
import sys
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from sqlalchemy import delete, func, insert, select, update

from portal.models import (
    Contract,
    ManagerAssignment,
    Membership,
    MembershipState,
    Party,
    Role,
    User,
    UserRole,
    UserState,
)
from portal.scripts.common import db_session, load_settings
from portal.services.passwords import password_service_from_settings

PASSWORD = "Bench-portal-2026"
PARTY_PREFIX = "BENCH-P"
LOGIN_PREFIX = "bench-"
STAFF = [("bench-admin", Role.admin), ("bench-backoffice", Role.backoffice),
         ("bench-service", Role.service), ("bench-head", Role.head)]
GROUP_SIZE = 25        # every 25th party is a holding ...
HOLDING_MEMBERS = 4    # ... of the next four
PARTIES_PER_MANAGER = 250
NOW = datetime(2026, 1, 15, 9, 0, tzinfo=timezone.utc)

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
    """What to generate, and what the batches share (the one password hash, manager ids)."""

    parties: int
    scale: float
    batch_size: int
    password_hash: str
    managers: dict[int, int] = field(default_factory=dict)  # manager number -> user id


@dataclass
class Batch:
    """The parties of one batch: their indexes (0-based, stable across runs) and ids."""

    start: int
    stop: int
    ids: dict[int, int]  # party index -> id


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


def add_managers(db, batch: Batch, plan: Plan) -> None:
    """Account managers, each responsible for a run of PARTIES_PER_MANAGER parties."""
    rows = []
    for i, party_id in _own(batch):
        number = i // PARTIES_PER_MANAGER
        if number not in plan.managers:
            plan.managers[number] = _staff_user(db, f"{LOGIN_PREFIX}m{number:05d}", Role.manager, plan)
        rows.append({"user_id": plan.managers[number], "party_id": party_id})
    _insert(db, ManagerAssignment, rows)


# Domains written for each batch of parties, in order; later domains go here.
DOMAINS = [add_parties, add_contracts, add_customers, add_managers]


def add_staff(db, plan: Plan) -> None:
    """The fixed staff logins bench/run logs in with (idempotent)."""
    for login, role in STAFF:
        _staff_user(db, login, role, plan)


def _own(batch: Batch):
    """(index, id) of the parties this batch wrote (not holdings looked up from earlier batches)."""
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
    if returning_ids:
        return db.scalars(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows).all()
    db.execute(insert(table), rows)
    return []


def existing_parties(db) -> int:
    return db.scalar(select(func.count()).select_from(Party).where(Party.external_id.like(PARTY_PREFIX + "%")))


def reset(db) -> None:
    """Remove every benchmark row; memberships, contracts and assignments go by cascade."""
    db.execute(delete(User).where(User.login.like(LOGIN_PREFIX + "%")))
    db.execute(delete(Party).where(Party.external_id.like(PARTY_PREFIX + "%")))


def generate(settings, parties: int, *, scale=1.0, batch_size=5000, do_reset=False, log=print) -> int:
    """Bring the benchmark rows up to ``parties`` parties; returns how many were added."""
    batch_size = max(GROUP_SIZE, batch_size // GROUP_SIZE * GROUP_SIZE)  # holdings stay in one batch
    with db_session(settings) as db:
        if do_reset:
            reset(db)
        start = existing_parties(db)
        plan = Plan(parties, scale, batch_size, password_service_from_settings(settings).hash(PASSWORD))
        add_staff(db, plan)
        plan.managers = {int(login[len(LOGIN_PREFIX) + 1:]): uid for login, uid in db.execute(
            select(User.login, User.id).where(User.login.like(LOGIN_PREFIX + "m%")))}
    began = time.monotonic()
    first = start
    while first < parties:
        # Batches end on multiples of batch_size, so a holding and its members share one.
        batch = Batch(first, min((first // batch_size + 1) * batch_size, parties), {})
        with db_session(settings) as db:
            for domain in DOMAINS:
                domain(db, batch, plan)
        log(f"  parties {batch.stop:,}/{parties:,}  ({time.monotonic() - began:.0f} s)")
        first = batch.stop
    return max(0, parties - start)


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
                        help="multiplies the records per party: contracts (2 on average) and customer users (1.5)")
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
    added = generate(settings, parties, scale=args.scale, batch_size=args.batch_size, do_reset=args.reset,
                     log=lambda line: print(line, file=sys.stderr))
    print(f"{parties:,} benchmark parties ({added:,} added in {time.monotonic() - began:.1f} s); "
          f"staff logins {', '.join(login for login, _ in STAFF)}, password {PASSWORD!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
