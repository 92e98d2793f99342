"""Price lists: current, archived and future at the edges of their validity (in Python and in SQL,
which must agree), whom a list is shown to, and writing one as the accounting system reports it."""
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from portal.finance.models import PriceList, PriceListAudience, PriceListItem, PriceListStatus
from portal.finance.models.price_lists import party_price_lists, status_conditions
from portal.finance.services.price_lists import ItemInput, audience_of, price_with_vat, upsert_price_list
from portal.finance.services.records import RecordRefused
from tests.factories import PartyFactory
from tests.factories import finance as f
from tests.factories.documents import party_group

TODAY = date(2026, 5, 20)
DAY = timedelta(days=1)


@pytest.mark.parametrize(("valid_from", "valid_to", "status"), [
    (TODAY, None, PriceListStatus.current),  # valid from today: current already
    (TODAY - 400 * DAY, None, PriceListStatus.current),  # no end is no end
    (TODAY - 30 * DAY, TODAY, PriceListStatus.current),  # its last day is today: still current
    (TODAY, TODAY, PriceListStatus.current),  # a list of one day, today
    (TODAY - 30 * DAY, TODAY - DAY, PriceListStatus.archived),  # ended yesterday
    (TODAY + DAY, None, PriceListStatus.future),  # starts tomorrow
    (TODAY + DAY, TODAY + 30 * DAY, PriceListStatus.future),
])
def test_the_status_at_the_edges_in_python_and_in_sql(dbsession, valid_from, valid_to, status):
    price_list = f.price_list(dbsession, valid_from=valid_from, valid_to=valid_to)
    assert price_list.status_on(TODAY) == status
    holding = [s for s, condition in status_conditions(TODAY).items()
               if dbsession.scalar(select(PriceList.id).where(PriceList.id == price_list.id, condition)) is not None]
    assert holding == [status]


def shown(dbsession, party, today=TODAY) -> set[str]:
    return {p.name for p in dbsession.scalars(party_price_lists(party.id, today))}


def test_a_party_is_shown_the_lists_for_everyone_for_itself_and_for_its_groups(dbsession):
    mine, other, grouped = PartyFactory(), PartyFactory(), PartyFactory()
    group = party_group(dbsession, "Key accounts", [grouped])
    f.price_list(dbsession, name="Everyone", valid_from=TODAY - 10 * DAY)
    f.price_list(dbsession, name="Mine", valid_from=TODAY - 10 * DAY, parties=[mine])
    f.price_list(dbsession, name="Group", valid_from=TODAY - 10 * DAY, groups=[group])
    f.price_list(dbsession, name="Old", valid_from=TODAY - 100 * DAY, valid_to=TODAY - DAY)
    f.price_list(dbsession, name="Next year", valid_from=TODAY + DAY)
    f.price_list(dbsession, name="Mine next year", valid_from=TODAY + DAY, parties=[mine])
    assert shown(dbsession, mine) == {"Everyone", "Mine", "Old"}
    assert shown(dbsession, grouped) == {"Everyone", "Group", "Old"}
    assert shown(dbsession, other) == {"Everyone", "Old"}
    assert "Next year" in shown(dbsession, other, TODAY + DAY)  # shown from its first day


def test_a_list_whose_only_group_is_deleted_is_shown_to_nobody(dbsession):
    member = PartyFactory()
    group = party_group(dbsession, "Dealers", [member])
    price_list = f.price_list(dbsession, name="Dealers only", valid_from=TODAY, groups=[group])
    assert price_list.audience == PriceListAudience.chosen and "Dealers only" in shown(dbsession, member)
    dbsession.delete(group)
    dbsession.flush()
    dbsession.expire_all()
    assert audience_of(dbsession, price_list) == ([], [])
    assert "Dealers only" not in shown(dbsession, member) and "Dealers only" not in shown(dbsession, PartyFactory())
    # New items leave it as it is; only the accounting system saying whom it is for changes that.
    upsert_price_list(dbsession, external_id=price_list.external_id, name="Dealers only", valid_from=TODAY, items=[])
    assert price_list.audience == PriceListAudience.chosen
    upsert_price_list(dbsession, external_id=price_list.external_id, name="Dealers only", valid_from=TODAY,
                      parties=[], groups=[])
    assert price_list.audience == PriceListAudience.all and "Dealers only" in shown(dbsession, member)


def test_an_upsert_replaces_the_items_in_their_order_and_keeps_the_audience_it_is_not_told(dbsession):
    party = PartyFactory()
    item = ItemInput("A-1", "Выезд специалиста", "выезд", Decimal("3500.00"), Decimal("20"))
    made = upsert_price_list(dbsession, external_id="PL-1", name="Прейскурант", valid_from=TODAY, items=[item],
                             parties=[party, party])
    assert audience_of(dbsession, made) == ([party], [])
    again = upsert_price_list(dbsession, external_id="PL-1", name="Прейскурант 2", valid_from=TODAY,
                              items=[ItemInput("B-2", "Поверка", "шт", Decimal("2800.5"), Decimal("20")), item])
    assert again is made and made.name == "Прейскурант 2" and made.audience == PriceListAudience.chosen
    rows = dbsession.scalars(select(PriceListItem).where(PriceListItem.price_list_id == made.id)
                             .order_by(PriceListItem.position)).all()
    assert [(r.position, r.code) for r in rows] == [(1, "B-2"), (2, "A-1")]
    with pytest.raises(RecordRefused):
        upsert_price_list(dbsession, external_id="PL-1", name="x", valid_from=TODAY, valid_to=TODAY - DAY)


def test_the_price_with_vat_is_rounded_to_the_cent_as_an_invoice_line_is():
    assert price_with_vat(Decimal("3500.00"), Decimal("20")) == Decimal("4200.00")
    assert price_with_vat(Decimal("6.4521"), Decimal("20")) == Decimal("7.74")
    assert price_with_vat(Decimal("2125.5000"), Decimal("0")) == Decimal("2125.50")
