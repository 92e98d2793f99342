"""Batch upserts of an API entity with per-row results, and the call log.

Each row is validated by the entity's colander schema, compared with the record
it names (a row equal to it writes nothing: "unchanged") and applied in a
savepoint of its own, so a bad row is rolled back alone. ``atomic`` wraps the
batch in one more savepoint, rolled back when any row failed.
"""
import time
from datetime import date, datetime
from decimal import Decimal

import colander
from sqlalchemy.exc import IntegrityError

from portal.api.entities import RowError
from portal.api.models import ApiCall
from portal.i18n import _

CREATED, UPDATED, UNCHANGED, ERROR = "created", "updated", "unchanged", "error"
OUTCOMES = (CREATED, UPDATED, UNCHANGED, ERROR)
BATCH_SIZE_SETTING = "portal.api.batch_size"
DEFAULT_BATCH_SIZE = 1000


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


def validate_row(schema, row, *, lenient, translate):
    """(values, errors) of one row: the schema's deserialization, ``null`` clearing an optional field,
    unknown fields reported unless ``lenient``."""
    if not isinstance(row, dict):
        return None, [{"field": "", "message": translate(_("Each item must be a JSON object."))}]
    nodes = {node.name: node for node in schema.children}
    errors = []
    if not lenient:
        errors.extend({"field": name, "message": translate(_("Unknown field."))}
                      for name in sorted(set(row) - set(nodes)))
    known = {k: v for k, v in row.items() if k in nodes}
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


def upsert_row(db, entity, values):
    """CREATED, UPDATED or UNCHANGED; raises RowError."""
    record = entity.find(db, values["external_id"])
    if record is not None:
        current = entity.current(record)
        if all(current.get(k) == v for k, v in values.items()):
            return UNCHANGED
    with db.begin_nested():
        entity.apply(db, record, values)
        db.flush()
    return CREATED if record is None else UPDATED


def upsert_batch(db, entity, rows, *, lenient=False, atomic=False, translate=str):
    """Per-row results (in the order sent), counts by outcome, and whether the batch was kept."""
    schema = entity.make_schema()
    results, seen = [], set()
    outer = db.begin_nested() if atomic else None
    for index, row in enumerate(rows):
        values, errors = validate_row(schema, row, lenient=lenient, translate=translate)
        external_id = values["external_id"] if values else (row.get("external_id") if isinstance(row, dict) else None)
        if values and external_id in seen:
            errors = [{"field": "external_id", "message": translate(_("This external id comes twice in the batch."))}]
        if not errors:
            seen.add(external_id)
            try:
                outcome = upsert_row(db, entity, values)
            except RowError as exc:
                errors = [{"field": exc.field, "message": translate(exc.message)}]
            except IntegrityError:
                errors = [{"field": "", "message": translate(_("The row conflicts with another record."))}]
        result = {"index": index, "external_id": jsonable(external_id)}
        if errors:
            result.update(result=ERROR, errors=errors)
        else:
            result["result"] = outcome
        results.append(result)
    counts = {outcome: sum(1 for r in results if r["result"] == outcome) for outcome in OUTCOMES}
    kept = True
    if outer is not None:
        if counts[ERROR]:
            outer.rollback()
            kept = False
        else:
            outer.commit()
    return results, counts, kept


def log_call(db, *, key_id, method, endpoint, status, outcome, started, counts=None):
    """One row of the call log, in the request's transaction."""
    counts = counts or {}
    db.add(ApiCall(key_id=key_id, method=method, endpoint=endpoint[:200], status=status, outcome=outcome,
                   created=counts.get(CREATED, 0), updated=counts.get(UPDATED, 0),
                   unchanged=counts.get(UNCHANGED, 0), errors=counts.get(ERROR, 0),
                   duration_ms=int((time.monotonic() - started) * 1000)))
