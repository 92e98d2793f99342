"""An entity's ``flush``: what its ``apply`` left to a chunk is written once per chunk, before the
session's flush; a chunk it fails is written again row by row (each row alone, outside any chunk, as
when the session's flush fails); a chunk rolled back for a bad row leaves nothing of it to write."""
import colander
import pytest
from sqlalchemy.exc import IntegrityError

from portal.api.entities import ApiEntity, RowError
from portal.api.nodes import external_id_node
from portal.api.references import chunk_lookup
from portal.api.services import CHUNK, upsert_batch

STAGED = "test staged"


class Schema(colander.MappingSchema):
    external_id = external_id_node()
    value = colander.SchemaNode(colander.Integer())


class Store:
    """An entity keeping its records in a dict: rows applied in a chunk wait there for its ``flush``."""

    def __init__(self, failures=0):
        self.records, self.flushes, self.failures = {}, [], failures

    def apply(self, db, record, values):
        if values["value"] < 0:
            raise RowError("value", "negative")
        staged = chunk_lookup(db, STAGED)
        if staged is None:  # alone: written at once
            self.records[values["external_id"]] = values["value"]
        else:
            staged[values["external_id"]] = values["value"]

    def flush(self, db):
        staged = chunk_lookup(db, STAGED)
        self.flushes.append(sorted(staged))
        if len(self.flushes) <= self.failures:
            raise IntegrityError("INSERT", {}, Exception("refused"))
        self.records.update(staged)
        staged.clear()

    def entity(self):
        return ApiEntity(name="things", schema=Schema, find=lambda db, external_id: None,
                         current=lambda record: {}, apply=self.apply, flush=self.flush)


def rows(*values):
    return [{"external_id": f"T-{n}", "value": value} for n, value in enumerate(values)]


def test_a_chunks_rows_are_written_by_one_flush_of_the_entity(dbsession):
    store = Store()
    results, counts, _kept = upsert_batch(dbsession, store.entity(), rows(*range(CHUNK + 3)))
    assert counts["created"] == CHUNK + 3 and len(store.flushes) == 2
    assert store.flushes[1] == ["T-100", "T-101", "T-102"] and len(store.records) == CHUNK + 3


def test_a_chunk_the_entitys_flush_fails_is_written_row_by_row(dbsession):
    store = Store(failures=1)
    results, counts, _kept = upsert_batch(dbsession, store.entity(), rows(1, 2, 3))
    assert [r["result"] for r in results] == ["created"] * 3
    assert store.flushes == [["T-0", "T-1", "T-2"]] and store.records == {"T-0": 1, "T-1": 2, "T-2": 3}


@pytest.mark.parametrize("bad", [0, 1, 2])
def test_a_bad_row_leaves_nothing_of_it_to_the_flush(dbsession, bad):
    values = [1, 2, 3]
    values[bad] = -1
    store = Store()
    results, _counts, _kept = upsert_batch(dbsession, store.entity(), rows(*values))
    assert [r["result"] for r in results] == ["error" if n == bad else "created" for n in range(3)]
    assert store.records == {f"T-{n}": v for n, v in enumerate(values) if n != bad}
    assert all(f"T-{bad}" not in flushed for flushed in store.flushes)
