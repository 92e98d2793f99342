"""Batch upserts of an API entity with per-row results, and the call log.

Each row is validated by the entity's colander schema, compared with the record
it names (a row equal to it writes nothing: "unchanged") and applied; a bad row
is rolled back alone (rows are written a chunk to a savepoint: a chunk in which
one failed is rolled back and written again without it, see ``write_chunk``).
``atomic`` wraps the batch in one more savepoint, rolled back when any row failed.
"""
import time
import weakref
from datetime import date, datetime
from decimal import Decimal

import colander
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from portal.api.consistency import kept_missing, record_missing, take_missing
from portal.api.entities import RowError
from portal.api.models import ApiCall, ApiInconsistency
from portal.api.references import chunk_lookups, prefetch_parties
from portal.db.meta import utcnow
from portal.i18n import _

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, ERROR)
BATCH_SIZE_SETTING = "portal.api.batch_size"
DEFAULT_BATCH_SIZE = 1000
CHUNK = 100  # rows written in one savepoint with one flush


def batch_size(settings) -> int:
    return int(settings.get(BATCH_SIZE_SETTING, DEFAULT_BATCH_SIZE))


def jsonable(value):
    """A value as JSON carries it: dates in ISO 8601, Decimals as strings (exact)."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def holds_nul(value) -> bool:
    """Whether ``value``, or a value inside it, is text with a NUL character (PostgreSQL stores none)."""
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(holds_nul(v) for v in value.values())
    if isinstance(value, list):
        return any(holds_nul(v) for v in value)
    return False


_NODES = weakref.WeakKeyDictionary()  # schema -> its nodes by name (``validate_row`` asks it of every row)


def _nodes(schema) -> dict:
    nodes = _NODES.get(schema)
    if nodes is None:
        nodes = _NODES[schema] = {node.name: node for node in schema.children}
    return nodes


def validate_row(schema, row, *, lenient, translate):
    """(values, errors) of one row: the schema's deserialization, ``null`` clearing an optional field,
    unknown fields reported unless ``lenient``."""
    if not isinstance(row, dict):
        return None, [{"field": "", "message": translate(_("Each item must be a JSON object."))}]
    nodes = _nodes(schema)
    errors = []
    unknown = row.keys() - nodes.keys()
    if unknown and not lenient:
        errors.extend({"field": name, "message": translate(_("Unknown field."))} for name in sorted(unknown))
    known = {k: v for k, v in row.items() if k in nodes} if unknown else row
    errors.extend({"field": name, "message": translate(_("Text cannot hold the NUL character."))}
                  for name in sorted(name for name, value in known.items() if holds_nul(value)))
    cleared = {k for k, v in known.items() if v is None and not nodes[k].required}
    try:
        values = schema.deserialize({k: v for k, v in known.items() if k not in cleared})
    except colander.Invalid as exc:
        errors.extend({"field": field, "message": message}
                      for field, message in sorted(exc.asdict(translate=translate).items()))
        values = None
    if errors:
        return None, errors
    values.update(dict.fromkeys(cleared))
    return values, []


def upsert_row(db, entity, values, row=None):
    """CREATED, UPDATED or UNCHANGED, and the references the row named that are not here (it is
    stored without them, and kept in the inconsistencies to apply again: api/consistency.py), in a
    savepoint of its own; raises RowError."""
    record = entity.find(db, values["external_id"])
    if unchanged(entity, record, values):
        return UNCHANGED, []
    with db.begin_nested():
        missing = write_row(db, entity, record, values, row)
        db.flush()
    return (CREATED if record is None else UPDATED), missing


def unchanged(entity, record, values) -> bool:
    """Whether ``record`` holds ``values`` already (a row equal to it on every field it sends)."""
    if record is None:
        return False
    current = entity.current(record)
    return all(current.get(k) == v for k, v in values.items())


def write_row(db, entity, record, values, row, kept=None) -> list[tuple[str, str]]:
    """Apply one row in the caller's savepoint; the references it named that are not here."""
    take_missing(db)
    entity.apply(db, record, values)
    missing = take_missing(db)
    kept_row = jsonable(row if row is not None else values) if missing else None  # kept only with what is missing
    record_missing(db, entity.name, values["external_id"], missing, kept_row, kept)
    return missing


class ChunkFailed(Exception):
    """A chunk that ``upsert_chunk`` rolled back: its row at ``position`` failed with ``error`` after the rows
    before it came out as ``before``; ``position`` None when the chunk's flush failed (no row to blame)."""

    def __init__(self, position: int | None, error: Exception, before: list):
        super().__init__(position, error)
        self.position, self.error, self.before = position, error, before


def upsert_chunk(db, entity, chunk) -> list:
    """(outcome, missing) of each ``(values, row)`` of ``chunk``, written in one savepoint with one flush
    (the entity's ``flush``, then the session's) after its parties, records and inconsistencies were looked
    up in a query each, and what the rows name by the entity's ``prefetch``; raises ChunkFailed, the chunk
    rolled back, when a row failed (a row may fail after it wrote something) or the flush did."""
    external_ids = [values["external_id"] for values, _row in chunk]
    prefetch_parties(db, [values.get("party") for values, _row in chunk])  # first: the records' parties, mostly
    found, kept = entity.find_all(db, external_ids), kept_missing(db, entity.name, external_ids)
    outcomes, savepoint = [], None
    with chunk_lookups(db):
        try:
            for position, (values, row) in enumerate(chunk):
                record = found.get(values["external_id"])
                if unchanged(entity, record, values):
                    outcomes.append((UNCHANGED, []))
                    continue
                if savepoint is None:  # a chunk of unchanged rows looks up and writes nothing more
                    savepoint = db.begin_nested()
                    if entity.prefetch is not None:
                        entity.prefetch(db, [(found.get(v["external_id"]), v) for v, _row in chunk[position:]])
                missing = write_row(db, entity, record, values, row, kept.get(values["external_id"], {}))
                outcomes.append((CREATED if record is None else UPDATED, missing))
            if savepoint is not None:
                if entity.flush is not None:
                    entity.flush(db)
                db.flush()
        except (RowError, IntegrityError) as error:
            if savepoint is not None:
                savepoint.rollback()
            if isinstance(error, RowError):
                raise ChunkFailed(len(outcomes), error, outcomes) from error
            raise ChunkFailed(None, error, []) from error
    if savepoint is not None:
        savepoint.commit()
    return outcomes


def write_chunk(db, entity, chunk) -> list:
    """The outcome of each ``(values, row)`` of ``chunk`` as if each were written alone, in order: (outcome,
    missing), or the RowError or IntegrityError it failed with. The chunk goes in one savepoint
    (``upsert_chunk``); when a row fails, the rows before it are written again without it (in a savepoint
    of their own, as they were before it failed: what it failed on holds) and the rest goes on as a chunk.
    Rows that do not go in so (a flush failed: no row to blame) are written one by one, a savepoint each."""
    outcomes = []
    while chunk:
        try:
            return outcomes + upsert_chunk(db, entity, chunk)
        except ChunkFailed as failed:
            if failed.position is None:
                break
            before = failed.before
            if any(outcome != UNCHANGED for outcome, _missing in before):  # all unchanged: nothing to write again
                try:
                    before = upsert_chunk(db, entity, chunk[:failed.position])
                except ChunkFailed:
                    break
            outcomes += [*before, failed.error]
            chunk = chunk[failed.position + 1:]
    return outcomes + [upsert_alone(db, entity, values, row) for values, row in chunk]


def upsert_alone(db, entity, values, row):
    """``upsert_row``'s outcome, or the error the row failed with."""
    try:
        return upsert_row(db, entity, values, row)
    except (RowError, IntegrityError) as error:
        return error


MISSING = _("Nothing with this external id has arrived yet: the record is stored without the link, "
            "which is made when it arrives and the row is sent again or re-checked.")


def upsert_batch(db, entity, rows, *, lenient=False, atomic=False, translate=str):
    """Per-row results (in the order sent), counts by outcome, and whether the batch was kept.

    The rows that validate are written in chunks of ``CHUNK`` (``write_chunk``), so that the results are
    those of writing every row alone."""
    schema = entity.make_schema()
    results, seen, valid = [], set(), []
    outer = db.begin_nested() if atomic else None
    for index, row in enumerate(rows):
        values, errors = validate_row(schema, row, lenient=lenient, translate=translate)
        external_id = values["external_id"] if values else (row.get("external_id") if isinstance(row, dict) else None)
        if values and external_id in seen:
            errors = [{"field": "external_id", "message": translate(_("This external id comes twice in the batch."))}]
        if not errors:
            seen.add(external_id)
            valid.append((index, values, row))
        results.append({"index": index, "external_id": jsonable(external_id), "result": ERROR, "errors": errors})
    for first in range(0, len(valid), CHUNK):
        chunk = valid[first:first + CHUNK]
        outcomes = write_chunk(db, entity, [(values, row) for _index, values, row in chunk])
        for (index, _values, _row), written in zip(chunk, outcomes, strict=True):
            result = results[index]
            if isinstance(written, RowError):
                result["errors"] = [{"field": written.field, "message": translate(written.message)}]
                continue
            if isinstance(written, IntegrityError):
                result["errors"] = [{"field": "", "message": translate(_("The row conflicts with another record."))}]
                continue
            outcome, missing = written
            del result["errors"]
            result["result"] = outcome
            if missing:
                result["warnings"] = [{"field": field, "message": translate(MISSING)} for field, _ref in missing]
    counts = {outcome: sum(1 for r in results if r["result"] == outcome) for outcome in OUTCOMES}
    kept = True
    if outer is not None:
        if counts[ERROR]:
            outer.rollback()
            kept = False
        else:
            outer.commit()
    if kept and counts[CREATED] and entity.announce is not None:
        entity.announce(db, [r["external_id"] for r in results if r["result"] == CREATED])
    return results, counts, kept


def recheck(db, entities, inconsistencies) -> tuple[int, int]:
    """Apply the kept rows of ``inconsistencies`` again (their missing records may have arrived);
    how many records are whole now, and how many still reference what is not here. A row that no
    longer applies (its entity switched off, a reference gone for good) stays listed."""
    whole = still = 0
    now = utcnow()
    for (name, external_id), kept in group_by_record(inconsistencies).items():
        entity = entities.get(name)
        outcome = None
        if entity is not None:
            values, errors = validate_row(entity.make_schema(), kept[0].row, lenient=True, translate=str)
            if not errors:
                try:
                    outcome = upsert_row(db, entity, values, kept[0].row)
                except (RowError, IntegrityError):
                    outcome = None
        if outcome is not None and not outcome[1]:
            whole += 1
        else:
            still += 1
            db.execute(update(ApiInconsistency).where(ApiInconsistency.entity == name,
                                                      ApiInconsistency.external_id == external_id)
                       .values(checked_at=now))
    return whole, still


def group_by_record(inconsistencies) -> dict:
    grouped = {}
    for inconsistency in inconsistencies:
        grouped.setdefault((inconsistency.entity, inconsistency.external_id), []).append(inconsistency)
    return grouped


def log_call(db, *, key_id, method, endpoint, status, outcome, started, counts=None):
    """One row of the call log, in the request's transaction."""
    counts = counts or {}
    db.add(ApiCall(key_id=key_id, method=method, endpoint=endpoint[:200], status=status, outcome=outcome,
                   created=counts.get(CREATED, 0), updated=counts.get(UPDATED, 0),
                   unchanged=counts.get(UNCHANGED, 0), errors=counts.get(ERROR, 0),
                   duration_ms=int((time.monotonic() - started) * 1000)))
