"""Who may see which party, and which strings would betray a party to someone who may not.

The rules are taken from the README (staff roles see every party, a manager
the assigned ones, a customer its *active* memberships) and evaluated on the
tables directly, not through the portal's own helpers, so that a bug there
cannot hide itself from the tests that use this module.

The strings that betray a party are read generically: the identifying columns
(``name``, ``tax_id``, ``external_id``, ``number`` ...) of the party and of every
table with a ``party_id`` column, so records that verticals add later (invoices,
shipments ...) are covered as soon as they exist in the test data.
"""
from __future__ import annotations

import html
import io
import json
import re
import zipfile

from sqlalchemy import select

from portal.db.meta import Base

# Staff roles that see every party (README, "Demo logins"); a manager sees assigned ones.
ALL_PARTIES_ROLES = frozenset({"backoffice", "service", "head", "admin"})
# Columns whose values identify a party or one of its records (and what it wrote).
SECRET_COLUMNS = (
    "name", "tax_id", "external_id", "number", "address", "billing_address", "contact_person",
    "email", "phone", "bank_account", "title", "subject", "body", "reason", "filename",
)
MIN_SECRET = 5
PARTY_PATH = re.compile(r"^/p/(\d+)(?:/|\?|$)")


def party_in(url: str) -> int | None:
    """The party whose URL space ``url`` lies in (``/p/<id>/...``), or None."""
    match = PARTY_PATH.match(url)
    return int(match.group(1)) if match else None


def _table(name):
    return Base.metadata.tables[name]


def visible_party_ids(db, user_id: int) -> frozenset[int]:
    """The parties ``user_id`` may see, from the membership, role and assignment rows."""
    db.flush()
    roles = set(db.scalars(select(_table("user_roles").c.role).where(_table("user_roles").c.user_id == user_id)))
    if roles & ALL_PARTIES_ROLES:
        return frozenset(db.scalars(select(_table("parties").c.id)))
    memberships = _table("memberships")
    member = db.scalars(
        select(memberships.c.party_id).where(memberships.c.user_id == user_id, memberships.c.state == "active")
    )
    assignments = _table("manager_assignments")
    managed = db.scalars(select(assignments.c.party_id).where(assignments.c.user_id == user_id))
    return frozenset(member) | frozenset(managed)


def readable_text(response) -> str:
    """What a person could read in a response: HTML unescaped, JSON decoded, zip members opened."""
    body = response.body or b""
    if body[:4] == b"PK\x03\x04":  # xlsx, docx, zip archives
        parts = []
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                parts.append(html.unescape(archive.read(name).decode("utf-8", "replace")))
        return "\n".join(parts)
    content_type = response.content_type or ""
    if "json" in content_type:
        try:
            return json.dumps(json.loads(body), ensure_ascii=False)
        except ValueError:
            return body.decode("utf-8", "replace")
    if content_type.startswith("text/") or "xml" in content_type:
        text = body.decode(response.charset or "utf-8", "replace")
        return html.unescape(text) if "html" in content_type or "xml" in content_type else text
    return body.decode("latin-1")  # PDFs and other binaries: uncompressed text still shows


def _alternation(strings) -> re.Pattern | None:
    strings = sorted(set(strings), key=len, reverse=True)
    if not strings:
        return None
    return re.compile("|".join(re.escape(s) for s in strings))


class Secrets:
    """The identifying strings of every party (and of customer users) in the database now."""

    def __init__(self, db):
        db.flush()
        self.by_party: dict[int, set[str]] = {}
        parties = _table("parties")
        for row in db.execute(select(parties)).mappings():
            self._add(row["id"], row)
        for table in Base.metadata.sorted_tables:
            if table.name == "parties" or "party_id" not in table.c:
                continue
            for row in db.execute(select(table)).mappings():
                self._add(row["party_id"], row)
        # Customer users: a colleague's name may show, a stranger's may not.
        self.by_user: dict[int, tuple[frozenset[int], set[str]]] = {}
        users, roles, memberships = _table("users"), _table("user_roles"), _table("memberships")
        staff = set(db.scalars(select(roles.c.user_id)))
        for row in db.execute(select(users)).mappings():
            if row["id"] in staff:
                continue
            parties_of = frozenset(db.scalars(
                select(memberships.c.party_id)
                .where(memberships.c.user_id == row["id"], memberships.c.state == "active")
            ))
            full_name = " ".join(p for p in (row["last_name"], row["first_name"], row["middle_name"]) if p)
            names = {row["email"] or "", full_name}
            self.by_user[row["id"]] = (parties_of, {s for s in names if len(s) >= MIN_SECRET})
        self._patterns = {}

    def _add(self, party_id, row):
        values = self.by_party.setdefault(party_id, set())
        for column in SECRET_COLUMNS:
            value = row.get(column)
            if isinstance(value, str) and len(value.strip()) >= MIN_SECRET:
                values.add(value.strip())

    def of_party(self, party_id) -> set[str]:
        return set(self.by_party.get(party_id, ()))

    def split(self, visible, viewer_id=None) -> tuple[set[str], set[str]]:
        """(allowed, forbidden) strings for someone who sees the parties ``visible``."""
        allowed, forbidden = set(), set()
        for party_id, values in self.by_party.items():
            (allowed if party_id in visible else forbidden).update(values)
        for user_id, (parties_of, values) in self.by_user.items():
            (allowed if user_id == viewer_id or parties_of & visible else forbidden).update(values)
        return allowed, forbidden - allowed

    def _compiled(self, visible, viewer_id):
        key = (frozenset(visible), viewer_id)
        if key not in self._patterns:
            allowed, forbidden = self.split(key[0], viewer_id)
            pattern = _alternation(allowed | forbidden) if forbidden else None
            if pattern is not None:
                pattern = re.compile(r"(?<![0-9A-Za-z])(?:" + pattern.pattern + r")(?![0-9A-Za-z])")
            self._patterns[key] = (pattern, forbidden)
        return self._patterns[key]

    def leaks(self, text: str, visible, viewer_id=None) -> list[str]:
        """The forbidden strings that ``text`` contains.

        Allowed and forbidden strings are matched together, longest first, so
        "DEMO-SEVER" is not found inside an allowed "DEMO-SEVER-ENERGO" (nor an
        allowed one hides a longer forbidden one); word boundaries keep "C-1"
        out of "C-12".
        """
        pattern, forbidden = self._compiled(visible, viewer_id)
        if pattern is None:
            return []
        return sorted({m.group(0) for m in pattern.finditer(text) if m.group(0) in forbidden})

    def response_leaks(self, response, visible, viewer_id=None) -> list[str]:
        return self.leaks(readable_text(response), visible, viewer_id)
