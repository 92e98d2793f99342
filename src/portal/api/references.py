"""What an API row names by external id: the record, or a RowError on the field that named it.

A batch is written by the chunk (api/services.py ``upsert_chunk``), and what a chunk's rows name is
looked up for the whole chunk in a query or two: its parties (kept with the session), and, while the
chunk is written (``chunk_lookups``), its contracts and what an entity's ``prefetch`` looks up.
"""
import contextlib

from sqlalchemy import inspect, select

from portal.api.consistency import note_missing
from portal.api.entities import RowError
from portal.db.among import IN_LIST, among
from portal.i18n import _
from portal.parties.models import Contract, Party

PARTIES = "portal.api.parties"  # the session's cache of party external id -> party
CHUNK = "portal.api.chunk"  # what the chunk being written looked up, by kind: see chunk_lookups
CONTRACTS = "contracts"  # a chunk lookup: contract external id -> contract, or None when not here
TAKEN_PARTIES = "parties"  # a chunk lookup: party external id -> the party, as referenced_party took it


def by_external_id(db, model, external_id, *options):
    """The ``model`` record with this external id, or None (``options``: what to load with it; a
    collection joined in, one query does it all)."""
    return db.scalars(select(model).where(model.external_id == external_id).options(*options)).unique().one_or_none()


def by_external_ids(db, model, external_ids, *options) -> dict:
    """The ``model`` records of ``external_ids`` that are here, by external id (``options`` as for
    ``by_external_id``): a query per few hundred ids rather than one an id."""
    wanted = list(dict.fromkeys(external_ids))
    found = {}
    for first in range(0, len(wanted), IN_LIST):
        statement = select(model).where(among(db, model.external_id, wanted[first:first + IN_LIST])).options(*options)
        found.update((record.external_id, record) for record in db.scalars(statement).unique())
    return found


def referenced(db, model, field, external_id, message, *options):
    """The ``model`` record ``field`` names; ``message`` says that none has that id."""
    record = by_external_id(db, model, external_id, *options)
    if record is None:
        raise RowError(field, message)
    return record


def referenced_party(db, external_id, field="party") -> Party:
    """The party ``field`` names. A batch names a few parties thousands of times: they are kept with
    the session (``prefetch_parties`` looks up a batch's at once), and each is taken from it again (a
    party gone or renamed is looked up anew), once per chunk being written (``chunk_lookups``: its rows
    name it twice each, in the entity's ``prefetch`` and ``apply``)."""
    taken = chunk_lookup(db, TAKEN_PARTIES)
    if taken is not None and external_id in taken:
        return taken[external_id]
    known = db.info.setdefault(PARTIES, {})
    identity = inspect(known[external_id]).identity if external_id in known else None  # None: rolled back
    party = db.get(Party, identity) if identity is not None else None
    if party is None or party.external_id != external_id:
        party = referenced(db, Party, field, external_id,
                           _("No party has the external id ${id}.", mapping={"id": external_id}))
        known[external_id] = party
    if taken is not None:
        taken[external_id] = party
    return party


def prefetch_parties(db, external_ids) -> None:
    """Look up in one query the parties a batch names (the ``party`` of its rows) that the session does
    not know yet, for ``referenced_party`` to take; one not here is left to it to refuse."""
    known = db.info.setdefault(PARTIES, {})
    known.update(by_external_ids(db, Party, [i for i in external_ids if isinstance(i, str) and i not in known]))


@contextlib.contextmanager
def chunk_lookups(db):
    """Keep what is looked up for a chunk of rows (``chunk_lookup``) with the session while the chunk is
    written, and forget it after: rolled back, or written, it no longer says what is here."""
    db.info[CHUNK] = {}
    try:
        yield
    finally:
        db.info.pop(CHUNK, None)


def chunk_lookup(db, kind) -> dict | None:
    """What the chunk being written looked up of ``kind`` (a dict, which its rows keep up to date as they
    are written), or None outside ``chunk_lookups``: look it up then."""
    lookups = db.info.get(CHUNK)
    return lookups.setdefault(kind, {}) if lookups is not None else None


def prefetch_contracts(db, external_ids) -> None:
    """Look up in one query the contracts a chunk's rows name, those not here too, for ``party_contract``
    and ``linked_contract`` to take while the chunk is written (nothing outside ``chunk_lookups``)."""
    known = chunk_lookup(db, CONTRACTS)
    if known is None:
        return
    wanted = [i for i in dict.fromkeys(external_ids) if isinstance(i, str) and i not in known]
    found = by_external_ids(db, Contract, wanted)
    known.update((external_id, found.get(external_id)) for external_id in wanted)


def _contract(db, external_id) -> Contract | None:
    known = chunk_lookup(db, CONTRACTS) or {}
    return known[external_id] if external_id in known else by_external_id(db, Contract, external_id)


def party_contract(db, party: Party, external_id, field="contract") -> Contract | None:
    """The contract ``external_id`` of ``party`` (None for None): another party's is refused."""
    if external_id is None:
        return None
    contract = _contract(db, external_id)
    if contract is None:
        raise RowError(field, _("No contract has the external id ${id}.", mapping={"id": external_id}))
    return _of_party(contract, party, field)


def linked_contract(db, party: Party, external_id, field="contract") -> Contract | None:
    """An optional link to the contract ``external_id`` of ``party``: one that has not arrived yet is
    left out and noted (api/consistency.py), another party's is refused."""
    if external_id is None:
        return None
    contract = _contract(db, external_id)
    if contract is None:
        note_missing(db, field, external_id)
        return None
    return _of_party(contract, party, field)


def _of_party(contract: Contract, party: Party, field) -> Contract:
    if contract.party_id != party.id:
        raise RowError(field, _("The contract ${id} is another party's.", mapping={"id": contract.external_id}))
    return contract


def unmoved(record, party: Party, message):
    """Refuse to move ``record`` to another party (its rows elsewhere carry its party)."""
    if record is not None and record.party_id != party.id:
        raise RowError("party", message)


def external_id_of(record):
    """A reference as ``current`` gives it: the record's external id, or None for no record."""
    return record.external_id if record is not None else None
