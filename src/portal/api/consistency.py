"""Records that reference what never arrived: an invoice naming a contract the accounting system has
not sent (yet).

Such a row is stored all the same, without the link, and answered with a warning: refusing it would
leave the customer without the invoice until someone fixes the other system. The row is kept here
as it was sent, so that once the missing record arrives an admin's "re-check" applies it again and
the link is made; sending the row again does the same. An entity's ``apply`` says what it could not
resolve with ``note_missing``; the upsert service collects it (``take_missing``) after the row.
"""
from sqlalchemy import delete, select

from portal.api.models import ApiInconsistency
from portal.db.among import IN_LIST, among
from portal.db.meta import utcnow

PENDING = "portal.api.missing_references"


def note_missing(db, field: str, reference) -> None:
    """Called by an entity's ``apply``: ``field`` names ``reference``, which is not here; the row is
    stored without it."""
    db.info.setdefault(PENDING, []).append((field, str(reference)))


def take_missing(db) -> list[tuple[str, str]]:
    """What the row just applied could not resolve (and forget it, for the next row)."""
    return db.info.pop(PENDING, [])


def kept_missing(db, entity: str, external_ids) -> dict[str, dict]:
    """What earlier sends left of these records (external id -> field -> inconsistency): a batch's, in
    one query, for ``record_missing``."""
    kept = {}
    wanted = list(external_ids)
    for first in range(0, len(wanted), IN_LIST):
        for i in db.scalars(select(ApiInconsistency).where(ApiInconsistency.entity == entity, among(
                db, ApiInconsistency.external_id, wanted[first:first + IN_LIST]))):
            kept.setdefault(i.external_id, {})[i.field] = i
    return kept


def record_missing(db, entity: str, external_id: str, missing, row: dict, kept=None) -> None:
    """Keep the row's unresolved references (replacing what an earlier send left), or, when it has
    none, clear what an earlier send left: the record is whole now. ``kept``: what earlier sends left
    of this record (``kept_missing``), when the batch has looked it up already."""
    if kept is None:
        kept = kept_missing(db, entity, [external_id]).get(external_id, {})
    now = utcnow()
    fields = set()
    for field, reference in missing:
        fields.add(field)
        inconsistency = kept.get(field)
        if inconsistency is None:
            inconsistency = ApiInconsistency(entity=entity, external_id=external_id, field=field, first_seen_at=now)
            db.add(inconsistency)
        inconsistency.reference = reference[:200]
        inconsistency.row = row
        inconsistency.last_seen_at = now
    gone = [i.id for field, i in kept.items() if field not in fields]
    if gone:
        db.execute(delete(ApiInconsistency).where(ApiInconsistency.id.in_(gone)))
