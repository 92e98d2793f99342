"""Who may see which party, and which strings would betray a party to someone who may not.

The rules are taken from the README (staff roles see every party, a manager
the assigned ones, a customer its *active* memberships) and evaluated on the
tables directly, not through the portal's own helpers, so that a bug there
cannot hide itself from the tests that use this module.

The strings that betray a party are read generically: the identifying columns
(``name``, ``tax_id``, ``external_id``, ``number`` ...) of the party and of every
table with a ``party_id`` column, so records that verticals add later (invoices,
shipments ...) are covered as soon as they exist in the test data. Documents, which belong to no
one party, are read by whom they are shown to (``document_audiences``), and so are price lists
(``price_list_audiences``).
"""
from __future__ import annotations

import html
import io
import json
import re
import zipfile
from datetime import datetime, timezone

from sqlalchemy import select

from portal.db.meta import Base

# Staff roles that see every party (README, "Demo logins"); a manager sees assigned ones.
ALL_PARTIES_ROLES = frozenset({"backoffice", "service", "head", "admin"})
# Columns whose values identify a party or one of its records (and what it wrote).
SECRET_COLUMNS = (
    "name", "tax_id", "external_id", "number", "address", "billing_address", "contact_person",
    "email", "phone", "bank_name", "bank_account", "invoice_email", "title", "subject", "body", "reason", "filename", "serial_number", "comment",
    "description", "purpose", "company_name", "customer_number",
)
MIN_SECRET = 5
# Records with no party_id of their own whose party is their parent's: (table, its key to the parent,
# the parent table). An invoice's lines say what was billed; another party must not read them either.
PARTY_OF_PARENT = (("invoice_lines", "invoice_id", "invoices"),)
PARTY_PATH = re.compile(r"^/p/(\d+)(?:/|\?|$)")


def party_in(url: str) -> int | None:
    """The party whose URL space ``url`` lies in (``/p/<id>/...``), or None."""
    match = PARTY_PATH.match(url)
    return int(match.group(1)) if match else None


def _table(name):
    return Base.metadata.tables[name]


def visible_party_ids(db, user_id: int) -> frozenset[int]:
    """The parties ``user_id`` may see, from the membership, role and assignment rows (a blocked party
    is none of its members')."""
    db.flush()
    roles = set(db.scalars(select(_table("user_roles").c.role).where(_table("user_roles").c.user_id == user_id)))
    if roles & ALL_PARTIES_ROLES:
        return frozenset(db.scalars(select(_table("parties").c.id)))
    memberships, parties = _table("memberships"), _table("parties")
    member = db.scalars(
        select(memberships.c.party_id).join(parties, parties.c.id == memberships.c.party_id)
        .where(memberships.c.user_id == user_id, memberships.c.state == "active", parties.c.state != "blocked")
    )
    assignments = _table("manager_assignments")
    managed = db.scalars(select(assignments.c.party_id).where(assignments.c.user_id == user_id))
    return frozenset(member) | frozenset(managed)


def document_audiences(db) -> list[tuple[frozenset[int], set[str]]]:
    """(the parties that may be shown it, its identifying strings) for every document not meant for
    every customer, by the README's rules read from the tables: a published document valid today of
    chosen visibility is shown to its parties and the members of its party groups; a staff-only,
    withdrawn, expired or not yet valid one to no customer at all."""
    documents, versions = _table("documents"), _table("document_versions")
    chosen_parties, chosen_groups = _table("document_parties"), _table("document_groups")
    group_members = _table("party_group_members")
    today = datetime.now(timezone.utc).date()  # the tests' company time zone is UTC
    audiences = []
    for row in db.execute(select(documents)).mappings():
        valid = (row["valid_from"] is None or row["valid_from"] <= today) and (
            row["valid_to"] is None or row["valid_to"] >= today)
        shown = row["state"] == "published" and valid and row["visibility"] != "staff"
        if shown and row["visibility"] == "all":
            continue
        audience = frozenset()
        if shown:
            groups = select(chosen_groups.c.group_id).where(chosen_groups.c.document_id == row["id"])
            audience = frozenset(db.scalars(
                select(chosen_parties.c.party_id).where(chosen_parties.c.document_id == row["id"]))) | frozenset(
                db.scalars(select(group_members.c.party_id).where(group_members.c.group_id.in_(groups))))
        names = {row["title_en"], row["title_ru"]} | set(db.scalars(
            select(versions.c.filename).where(versions.c.document_id == row["id"])))
        audiences.append((audience, {n.strip() for n in names if isinstance(n, str) and len(n.strip()) >= MIN_SECRET}))
    return audiences


def price_list_audiences(db) -> list[tuple[frozenset[int], set[str]]]:
    """(the parties that may be shown it, its name and its items' names) for every price list not shown
    to every customer, by the README's rules read from the tables: a list that has begun is shown to
    every customer, or to its chosen parties and the members of its customer groups; one that has not
    begun yet to no customer at all."""
    lists, items = _table("price_lists"), _table("price_list_items")
    chosen_parties, chosen_groups = _table("price_list_parties"), _table("price_list_groups")
    group_members = _table("party_group_members")
    today = datetime.now(timezone.utc).date()  # the tests' company time zone is UTC
    audiences = []
    for row in db.execute(select(lists)).mappings():
        begun = row["valid_from"] <= today
        if begun and row["audience"] == "all":
            continue
        audience = frozenset()
        if begun:
            groups = select(chosen_groups.c.group_id).where(chosen_groups.c.price_list_id == row["id"])
            audience = frozenset(db.scalars(
                select(chosen_parties.c.party_id).where(chosen_parties.c.price_list_id == row["id"]))) | frozenset(
                db.scalars(select(group_members.c.party_id).where(group_members.c.group_id.in_(groups))))
        names = {row["name"]} | set(db.scalars(select(items.c.name).where(items.c.price_list_id == row["id"])))
        audiences.append((audience, {n.strip() for n in names if len(n.strip()) >= MIN_SECRET}))
    return audiences


def readable_text(response) -> str:
    """What a person could read in a response: HTML unescaped, JSON decoded, zip members opened."""
    body = response.body or b""
    if body[:4] == b"PK\x03\x04":  # xlsx, docx, zip archives (of PDFs too)
        parts = []
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            for name in archive.namelist():
                member = archive.read(name)
                parts.append(name)
                parts.append(pdf_readable(member) if member[:5] == b"%PDF-" else
                             html.unescape(member.decode("utf-8", "replace")))
        return "\n".join(parts)
    if body[:5] == b"%PDF-":
        return pdf_readable(body)
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


def pdf_readable(body: bytes) -> str:
    """A PDF's text as a reader sees it (its streams are compressed: the raw bytes hide it), then the
    raw bytes too (a name in its metadata)."""
    from pypdf import PdfReader

    try:
        text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages)
    except Exception as error:  # a PDF pypdf cannot read is still checked byte by byte
        text = f"(unreadable PDF: {error!r})"
    return text + "\n" + body.decode("latin-1")


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
        for name, key, parent_name in PARTY_OF_PARENT:
            child, parent = _table(name), _table(parent_name)
            rows = db.execute(select(child, parent.c.party_id).join(parent, parent.c.id == child.c[key])).mappings()
            for row in rows:
                self._add(row["party_id"], row)
        # Documents and price lists meant for some parties (or, staff-only, withdrawn, out of validity,
        # not yet valid, for none).
        self.by_audience = document_audiences(db) + price_list_audiences(db)
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
        # A person's own requests to act for a company (what they typed, and the answer) are theirs to read.
        requests = _table("membership_requests")
        for row in db.execute(select(requests)).mappings():
            if row["user_id"] in self.by_user:
                typed = (row["company_name"], row["tax_id"], row["customer_number"], row["reason"])
                self.by_user[row["user_id"]][1].update(s for s in typed if s and len(s) >= MIN_SECRET)
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
        for audience, values in self.by_audience:
            (allowed if audience & visible else forbidden).update(values)
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
