"""Supply points (odběrná místa) with their meters and registers, and the meter readings.

Meters and readings carry their party's id as well as their parent's, tied to it
by a composite foreign key (``(supply_point_id, party_id)`` names one supply point
of that party), so every query for a customer starts from ``party_id`` and a row
can never sit under another party's supply point.
"""
import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
    text,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, check_in, utcnow

# The most digits a register may have before the decimal point, and after it.
MAX_INTEGER_DIGITS = 12
MAX_DECIMALS = 4
# Numeric columns hold every value a register of the largest capacity can show.
READING_VALUE = Numeric(MAX_INTEGER_DIGITS + MAX_DECIMALS, MAX_DECIMALS)


class Medium(enum.StrEnum):
    electricity = "electricity"
    gas = "gas"
    water = "water"
    heat = "heat"


class SupplyPointState(enum.StrEnum):
    active = "active"
    disconnected = "disconnected"
    terminated = "terminated"


class SupplyPoint(Base):
    """A place the company supplies (an odběrné místo): its address, medium, tariff and contract.

    ``self_readings`` is set by staff: only then may the party's users send readings of its meters.
    """

    __tablename__ = "supply_points"
    __table_args__ = (
        CheckConstraint(check_in("medium", Medium), name="medium"),
        CheckConstraint(check_in("state", SupplyPointState), name="state"),
        UniqueConstraint("id", "party_id"),
        Index("ix_supply_points_party_id_address", "party_id", "address"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    address: Mapped[str] = mapped_column(String(300))
    medium: Mapped[str] = mapped_column(String(16))
    tariff: Mapped[str] = mapped_column(String(100), default="")
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"), index=True)
    state: Mapped[str] = mapped_column(String(16), default=SupplyPointState.active.value)
    self_readings: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    party = relationship("Party")
    contract = relationship("Contract")
    # The meters in use first, then those removed.
    meters: Mapped[list["Meter"]] = relationship(
        back_populates="supply_point", order_by=lambda: (Meter.removed_on.is_not(None), Meter.id),
    )


class Meter(Base):
    """A meter at a supply point. A meter change is a new meter (``installed_on``) and the old one's
    ``removed_on``: each meter's readings are compared only with its own."""

    __tablename__ = "meters"
    __table_args__ = (
        ForeignKeyConstraint(["supply_point_id", "party_id"], ["supply_points.id", "supply_points.party_id"],
                             ondelete="CASCADE", name="fk_meters_supply_point"),
        UniqueConstraint("id", "party_id"),
        CheckConstraint("removed_on IS NULL OR installed_on IS NULL OR removed_on >= installed_on", name="dates"),
        Index("ix_meters_supply_point_id", "supply_point_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    supply_point_id: Mapped[int] = mapped_column(Integer)
    serial_number: Mapped[str] = mapped_column(String(64))
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    installed_on: Mapped[date | None] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)

    supply_point: Mapped[SupplyPoint] = relationship(back_populates="meters")
    registers: Mapped[list["Register"]] = relationship(
        back_populates="meter", order_by=lambda: (Register.position, Register.id), cascade="all, delete-orphan",
    )

    @property
    def active(self) -> bool:
        return self.removed_on is None


class Register(Base):
    """One counter of a meter (a tariff zone: day, night; or the only one), with its capacity.

    ``integer_digits`` and ``decimals`` are the digits the meter shows before
    and after the decimal point: a value needing more was mistyped, and a value
    past the capacity wraps to zero (a rollover). ``expected_daily`` is the usual
    consumption per day, against which a reading's consumption is judged.
    """

    __tablename__ = "registers"
    __table_args__ = (
        UniqueConstraint("meter_id", "code"),
        CheckConstraint(f"integer_digits BETWEEN 1 AND {MAX_INTEGER_DIGITS}", name="integer_digits"),
        CheckConstraint(f"decimals BETWEEN 0 AND {MAX_DECIMALS}", name="decimals"),
        CheckConstraint("expected_daily IS NULL OR expected_daily > 0", name="expected_daily"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meter_id: Mapped[int] = mapped_column(ForeignKey("meters.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    integer_digits: Mapped[int] = mapped_column(Integer, default=6)
    decimals: Mapped[int] = mapped_column(Integer, default=0)
    unit: Mapped[str] = mapped_column(String(16))
    expected_daily: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))
    position: Mapped[int] = mapped_column(Integer, default=0)

    meter: Mapped[Meter] = relationship(back_populates="registers")


class ReadingOrigin(enum.StrEnum):
    """Where a reading came from: a customer's self-reading, or the accounting system (the company's
    own readings, a meter's installation reading)."""

    customer = "customer"
    accounting = "accounting"


class Reading(Base):
    """One reading of every register of a meter on one day, a workflow item: submitted → accepted | rejected.

    What the checks found at submission is kept with it (the previous reading's
    date, each value's consumption and the consumption expected), so staff
    review what the customer was told. ``reason`` is why it was rejected, shown
    to the customer. A meter has at most one reading a day that is not rejected.
    """

    __tablename__ = "readings"
    __table_args__ = (
        ForeignKeyConstraint(["meter_id", "party_id"], ["meters.id", "meters.party_id"], ondelete="CASCADE",
                             name="fk_readings_meter"),
        CheckConstraint(check_in("origin", ReadingOrigin), name="origin"),
        Index("ix_readings_party_id_state", "party_id", "state"),
        Index("ix_readings_state_created_at", "state", "created_at"),
        Index("ix_readings_meter_id_reading_date", "meter_id", "reading_date"),
        Index("uq_readings_meter_id_day", "meter_id", "reading_date", unique=True,
              sqlite_where=text("state != 'rejected'"), postgresql_where=text("state != 'rejected'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    meter_id: Mapped[int] = mapped_column(Integer)
    reading_date: Mapped[date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(24))
    origin: Mapped[str] = mapped_column(String(16), default=ReadingOrigin.customer.value)
    # The accounting system's id of a reading it recorded (through the API); a self-reading has none.
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    comment: Mapped[str] = mapped_column(Text, default="")
    # None: nothing to judge it by (no previous reading, no expectation); False: it needed the comment.
    plausible: Mapped[bool | None] = mapped_column(Boolean)
    previous_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    meter: Mapped[Meter] = relationship()
    author = relationship("User", foreign_keys=[author_id])
    decided_by = relationship("User", foreign_keys=[decided_by_id])
    values: Mapped[list["ReadingValue"]] = relationship(
        back_populates="reading", cascade="all, delete-orphan", order_by="ReadingValue.position",
    )

    __mapper_args__ = {"version_id_col": version}


class ReadingValue(Base):
    """One register's value in a reading, with its consumption since the previous reading (None for a
    meter's first), whether it wrapped past the capacity, and the consumption expected then."""

    __tablename__ = "reading_values"
    __table_args__ = (CheckConstraint("value >= 0", name="value"),)

    reading_id: Mapped[int] = mapped_column(ForeignKey("readings.id", ondelete="CASCADE"), primary_key=True)
    register_id: Mapped[int] = mapped_column(ForeignKey("registers.id", ondelete="CASCADE"), primary_key=True,
                                             index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    value: Mapped[Decimal] = mapped_column(READING_VALUE)
    consumption: Mapped[Decimal | None] = mapped_column(READING_VALUE)
    expected: Mapped[Decimal | None] = mapped_column(READING_VALUE)
    rollover: Mapped[bool] = mapped_column(Boolean, default=False)

    reading: Mapped[Reading] = relationship(back_populates="values")
    register: Mapped[Register] = relationship()


# What notices and e-mails name a reading by (they show an item's ``subject``): its meter's serial number.
Reading.subject = column_property(
    select(Meter.serial_number).where(Meter.id == Reading.meter_id).correlate_except(Meter).scalar_subquery(),
    deferred=True,
)
