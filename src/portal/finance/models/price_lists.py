"""Price lists the accounting system publishes: what each service costs, from when until when, and
which customers it is meant for.

A price list is meant for every customer, or for the chosen parties and customer groups. Which it is
is kept in ``audience`` rather than read from whether anybody is chosen, so a list whose only group
was deleted is shown to nobody instead of suddenly to everybody.

A list is *current* on a day inside its validity (no end is no end), *archived* once its last day
has passed, and *future* before its first day; customers are shown current and archived lists only.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    and_,
    case,
    exists,
    or_,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, check_in, utcnow
from portal.finance.models import PRICE, RATE
from portal.parties.models import party_group_ids


class PriceListAudience(enum.StrEnum):
    """Whom a price list is meant for: every customer, or the chosen parties and customer groups."""

    all = "all"
    chosen = "chosen"


class PriceListStatus(enum.StrEnum):
    """Where a price list stands on a day (worked out from its validity, never stored)."""

    current = "current"
    archived = "archived"
    future = "future"


class PriceList(Base):
    """A price list with its items, valid from a day until a day (or until further notice)."""

    __tablename__ = "price_lists"
    __table_args__ = (
        CheckConstraint(check_in("audience", PriceListAudience), name="audience"),
        CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name="validity"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    external_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(255))
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    audience: Mapped[str] = mapped_column(String(16), default=PriceListAudience.all.value)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    items: Mapped[list["PriceListItem"]] = relationship(
        back_populates="price_list", order_by="PriceListItem.position", cascade="all, delete-orphan")

    def status_on(self, today: date) -> PriceListStatus:
        """The status on ``today``: the rule ``status_conditions`` writes in SQL, here for one loaded list."""
        if self.valid_from > today:
            return PriceListStatus.future
        if self.valid_to is not None and self.valid_to < today:
            return PriceListStatus.archived
        return PriceListStatus.current


class PriceListItem(Base):
    """One priced service of a price list: its code, name, unit, price without VAT and VAT rate."""

    __tablename__ = "price_list_items"
    __table_args__ = (UniqueConstraint("price_list_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    code: Mapped[str] = mapped_column(String(64), default="")
    name: Mapped[str] = mapped_column(String(500))
    unit: Mapped[str] = mapped_column(String(32))
    price: Mapped[Decimal] = mapped_column(PRICE)
    vat_rate: Mapped[Decimal] = mapped_column(RATE)

    price_list: Mapped[PriceList] = relationship(back_populates="items")


class PriceListParty(Base):
    """A party a price list of chosen audience is meant for."""

    __tablename__ = "price_list_parties"

    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"), primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), primary_key=True, index=True)


class PriceListGroup(Base):
    """A customer group a price list of chosen audience is meant for (every party in it)."""

    __tablename__ = "price_list_groups"

    price_list_id: Mapped[int] = mapped_column(ForeignKey("price_lists.id", ondelete="CASCADE"), primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("party_groups.id", ondelete="CASCADE"), primary_key=True,
                                          index=True)


# --- what a party is shown: the one rule of price lists, as SQL -----------------------------------
def status_conditions(today: date) -> dict:
    """Status -> the SQL condition of a price list having it on ``today`` (``PriceList.status_on`` in SQL)."""
    started = PriceList.valid_from <= today
    return {
        PriceListStatus.current: and_(started, or_(PriceList.valid_to.is_(None), PriceList.valid_to >= today)),
        PriceListStatus.archived: and_(started, PriceList.valid_to < today),
        PriceListStatus.future: PriceList.valid_from > today,
    }


def status_rank(today: date):
    """SQL: 0 for a current list, 1 for any other (to list the current ones first)."""
    return case((status_conditions(today)[PriceListStatus.current], 0), else_=1)


def in_audience(party_id):
    """SQL: the party is one a price list of chosen audience is meant for (itself or a group it is in)."""
    return or_(
        exists().where(PriceListParty.price_list_id == PriceList.id, PriceListParty.party_id == party_id),
        exists().where(PriceListGroup.price_list_id == PriceList.id,
                       PriceListGroup.group_id.in_(party_group_ids(party_id))),
    )


def shown_to_party(party_id, today: date):
    """SQL: the price list is shown to the party ``party_id`` on ``today``: begun, and meant for it."""
    return and_(
        PriceList.valid_from <= today,
        or_(PriceList.audience == PriceListAudience.all.value,
            and_(PriceList.audience == PriceListAudience.chosen.value, in_audience(party_id))),
    )


def party_price_lists(party_id, today: date):
    """The price lists the party is shown (a select every query of its price lists starts from)."""
    return select(PriceList).where(shown_to_party(party_id, today))
