"""Price lists as an entity of the integration API (``/api/v1/price_lists``).

A row carries the list's items as ``lines`` (not "items", the key of a batch), replaced whole when
sent, and whom it is meant for: ``parties`` by external id and ``groups`` by customer group name (as
administrators named them, in any case); neither, or both empty, is every customer. A price list
has no soft delete (it ends by its ``valid_to``), so ``DELETE`` answers 405.
"""
from sqlalchemy import func, select
from sqlalchemy.orm import object_session

from portal.api.entities import RowError
from portal.finance.models import PriceList
from portal.finance.schemas import PriceListApiSchema
from portal.finance.services.price_lists import ItemInput, audience_of, upsert_price_list
from portal.finance.services.records import RecordRefused
from portal.i18n import _
from portal.parties.models import Party, PartyGroup

ITEM_FIELDS = ("code", "name", "unit", "price", "vat_rate")


def find_price_list(db, external_id):
    return db.scalars(select(PriceList).where(PriceList.external_id == external_id)).first()


def price_list_values(price_list: PriceList) -> dict:
    """The list as a row would send it (references by external id and group name, in sorted order)."""
    parties, groups = audience_of(object_session(price_list), price_list)
    return {
        "external_id": price_list.external_id, "name": price_list.name, "currency": price_list.currency,
        "valid_from": price_list.valid_from, "valid_to": price_list.valid_to,
        "lines": [{name: getattr(item, name) for name in ITEM_FIELDS} for item in price_list.items],
        "parties": sorted(p.external_id for p in parties if p.external_id),
        "groups": sorted(g.name for g in groups),
    }


def referenced_parties(db, refs) -> list[Party]:
    found = {p.external_id: p for p in db.scalars(select(Party).where(Party.external_id.in_(refs)))} if refs else {}
    for ref in refs:
        if ref not in found:
            raise RowError("parties", _("No party has the external id ${id}.", mapping={"id": ref}))
    return [found[ref] for ref in refs]


def referenced_groups(db, names) -> list[PartyGroup]:
    """The customer groups by name, in any case (administrators' names are unique in any case)."""
    wanted = {name.lower(): name for name in names}
    found = {g.name.lower(): g for g in db.scalars(
        select(PartyGroup).where(func.lower(PartyGroup.name).in_(list(wanted))))} if wanted else {}
    for lowered, name in wanted.items():
        if lowered not in found:
            raise RowError("groups", _("No customer group is named “${name}”.", mapping={"name": name}))
    return [found[lowered] for lowered in wanted]


def apply_price_list(db, price_list, values):
    def kept(name, default=None):
        if name in values:
            return values[name]
        return getattr(price_list, name) if price_list is not None else default

    items = values.get("lines", None if price_list is not None else [])
    parties = referenced_parties(db, values["parties"] or []) if "parties" in values else None
    groups = referenced_groups(db, values["groups"] or []) if "groups" in values else None
    try:
        return upsert_price_list(
            db, external_id=values["external_id"], name=values["name"], currency=kept("currency", "RUB"),
            valid_from=values["valid_from"], valid_to=kept("valid_to"),
            items=None if items is None else [ItemInput(**item) for item in items],
            parties=parties, groups=groups)
    except RecordRefused:
        raise RowError("valid_to", _("The end is before the start.")) from None


def includeme(config):
    config.include("portal.api.entities")
    config.add_api_entity("price_lists", schema=PriceListApiSchema, find=find_price_list, current=price_list_values,
                          apply=apply_price_list, title="Price list")
