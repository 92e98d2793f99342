"""Price lists: written as the accounting system reports them (the demo and the API write through
``upsert_price_list``), whom each is meant for, and what an item costs with its VAT."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, exists, select

from portal.finance.models import (
    PriceList,
    PriceListAudience,
    PriceListGroup,
    PriceListItem,
    PriceListParty,
)
from portal.finance.services.invoices import line_amounts
from portal.finance.services.records import RecordRefused
from portal.parties.models import Party, PartyGroup


@dataclass(frozen=True)
class ItemInput:
    """One item as reported: the price is without VAT, as on an invoice line."""

    code: str
    name: str
    unit: str
    price: Decimal
    vat_rate: Decimal


def price_with_vat(price: Decimal, vat_rate: Decimal) -> Decimal:
    """The price of one unit with its VAT, to the cent, rounded as an invoice line of one unit is."""
    return line_amounts(Decimal(1), price, vat_rate)[2]


def upsert_price_list(session, *, external_id: str, name: str, valid_from: date, valid_to: date | None = None,
                      currency: str = "RUB", items: list[ItemInput] | None = None,
                      parties: list[Party] | None = None, groups: list[PartyGroup] | None = None) -> PriceList:
    """The price list ``external_id`` as reported now.

    ``items`` replace its items when given. ``parties`` and ``groups`` replace whom it is meant for
    when either is given (None keeps what it is): the chosen ones, or every customer when none is
    chosen. The audience is worked out only then, so a list whose groups were deleted stays shown to
    nobody until the accounting system says whom it is for.
    """
    if valid_to is not None and valid_to < valid_from:
        raise RecordRefused(f"price list {external_id}: it ends before it starts")
    price_list = session.scalars(select(PriceList).where(PriceList.external_id == external_id)).first()
    if price_list is None:
        price_list = PriceList(external_id=external_id, audience=PriceListAudience.all.value)
        session.add(price_list)
    price_list.name, price_list.currency = name, currency
    price_list.valid_from, price_list.valid_to = valid_from, valid_to
    if items is not None:
        if price_list.items:  # the old items go first: the new ones take their positions
            price_list.items.clear()
            session.flush()
        price_list.items = [PriceListItem(position=n, code=item.code, name=item.name, unit=item.unit,
                                          price=item.price, vat_rate=item.vat_rate)
                            for n, item in enumerate(items, start=1)]
    session.flush()
    if parties is not None or groups is not None:
        _set_audience(session, price_list, parties, groups)
    return price_list


def _set_audience(session, price_list: PriceList, parties, groups) -> None:
    if parties is not None:
        session.execute(delete(PriceListParty).where(PriceListParty.price_list_id == price_list.id))
        session.add_all([PriceListParty(price_list_id=price_list.id, party_id=party_id)
                         for party_id in dict.fromkeys(p.id for p in parties)])
    if groups is not None:
        session.execute(delete(PriceListGroup).where(PriceListGroup.price_list_id == price_list.id))
        session.add_all([PriceListGroup(price_list_id=price_list.id, group_id=group_id)
                         for group_id in dict.fromkeys(g.id for g in groups)])
    session.flush()
    chosen = session.scalar(select(
        exists().where(PriceListParty.price_list_id == price_list.id)
        | exists().where(PriceListGroup.price_list_id == price_list.id)))
    price_list.audience = (PriceListAudience.chosen if chosen else PriceListAudience.all).value
    session.flush()


def audience_of(session, price_list: PriceList) -> tuple[list[Party], list[PartyGroup]]:
    """The parties and the customer groups a price list of chosen audience is meant for."""
    parties = session.scalars(
        select(Party).join(PriceListParty, PriceListParty.party_id == Party.id)
        .where(PriceListParty.price_list_id == price_list.id).order_by(Party.external_id, Party.id)
    ).all()
    groups = session.scalars(
        select(PartyGroup).join(PriceListGroup, PriceListGroup.group_id == PartyGroup.id)
        .where(PriceListGroup.price_list_id == price_list.id).order_by(PartyGroup.name)
    ).all()
    return list(parties), list(groups)


def price_list_items(price_list_id: int):
    """The items of one price list (a select the item list and its export start from)."""
    return select(PriceListItem).where(PriceListItem.price_list_id == price_list_id)
