"""The registry of API entities and the ``config.add_api_entity`` directive a domain declares one with."""
from collections.abc import Callable
from dataclasses import dataclass

REGISTRY_KEY = "portal.api_entities"


class RowError(Exception):
    """A row that cannot be applied: which field, and why (e.g. a reference to what never arrived)."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ApiEntity:
    """What ``/api/v1/<name>`` knows of one kind of record (see ``add_api_entity``)."""

    name: str
    schema: Callable
    find: Callable
    current: Callable
    apply: Callable
    delete: Callable | None = None
    title: str = ""
    find_many: Callable | None = None
    announce: Callable | None = None
    prefetch: Callable | None = None
    flush: Callable | None = None

    def make_schema(self):
        schema = self.schema
        return schema() if isinstance(schema, type) else schema

    def find_all(self, db, external_ids) -> dict:
        """The records of ``external_ids`` that are here, by external id: ``find_many`` when the entity
        has one (a query for them all), else ``find`` for each."""
        if self.find_many is not None:
            return self.find_many(db, external_ids)
        found = {external_id: self.find(db, external_id) for external_id in external_ids}
        return {external_id: record for external_id, record in found.items() if record is not None}


def add_api_entity(config, name, *, schema, find, current, apply, delete=None, title="", find_many=None,
                   announce=None, prefetch=None, flush=None):
    """Serve a kind of record at ``/api/v1/<name>``: batch upserts keyed by ``external_id``,
    ``GET /<name>/<external_id>``, and ``DELETE`` when the record can be removed softly.

    - ``schema``: a colander MappingSchema (class or instance) of one row, with an ``external_id``
      node; optional nodes take ``missing=colander.drop`` so that a row changes only what it sends
      (``null`` clears an optional field). The same schema validates and documents the API.
    - ``find(db, external_id)``: the record, or None.
    - ``find_many(db, external_ids)``, optional: the records of those that are here, by external id,
      loaded as ``find`` loads one (with what ``current`` reads), so that a batch looks up its records
      in one query rather than one a row.
    - ``current(record)``: the record's values as ``schema.deserialize`` would give them (references
      by external id); a row equal to them on every field it sends is "unchanged" and writes nothing.
    - ``apply(db, record_or_None, values)``: create or update, returning the record; raises
      ``RowError(field, message)`` for what the schema cannot know (an unknown reference).
    - ``delete(db, record)``: a soft delete (gone from the portal, kept in history); without it,
      ``DELETE`` answers 405.
    - ``announce(db, external_ids)``, optional: tell people of the records a batch created (in the
      batch's transaction, once it is kept), e.g. customers of their new invoices.
    - ``prefetch(db, rows)``, optional: look up at once what a chunk's rows (``(record or None, values)``
      each) will name, for ``apply`` to take from ``references.chunk_lookup`` rather than query a row:
      what it finds holds while that chunk is written (``apply`` keeps it up to date), not after.
    - ``flush(db)``, optional: write what ``apply`` left to the chunk's flush (kept in a chunk lookup, e.g.
      new records to insert in a statement rather than as ORM objects), before the session's flush; a
      failure there fails the chunk as a failed flush does (each row is then written alone, without it).

    Two packages declaring one name is a configuration conflict.
    """
    entity = ApiEntity(name=name, schema=schema, find=find, current=current, apply=apply,
                       delete=delete, title=title or name, find_many=find_many, announce=announce,
                       prefetch=prefetch, flush=flush)

    def register():
        config.registry.setdefault(REGISTRY_KEY, {})[name] = entity

    config.action(("portal.api_entity", name), register)


def api_entities(registry) -> dict[str, ApiEntity]:
    return registry.get(REGISTRY_KEY, {})


def includeme(config):
    config.add_directive("add_api_entity", add_api_entity)
