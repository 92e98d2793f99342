"""What the accounting system keeps about a party's money, as the portal shows it: invoices with
their lines, payments and what they paid, and the balances it reports.

The accounting system is the source of truth: every row carries its ``external_id`` there and is
written by an idempotent import (or the demo), never edited in the portal. Money is ``Numeric``
(a ``Decimal`` in Python on every backend, SQLite too), amounts as the accounting system rounded
them; an amount is positive, and a balance is positive when the customer owes.
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
    UniqueConstraint,
    and_,
    case,
    false,
    literal,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, check_in, utcnow

# Amounts to the cent (kopeck, haléř); prices and quantities as finely as tariffs are written.
MONEY = Numeric(16, 2)
PRICE = Numeric(16, 4)
QUANTITY = Numeric(16, 3)
RATE = Numeric(5, 2)  # a VAT rate in per cent: 20.00
ZERO = Decimal("0.00")


class InvoiceState(enum.StrEnum):
    """Where an invoice stands; worked out from its amounts, due date and the day (``invoice_state``),
    so an invoice turns overdue at midnight without anybody writing it."""

    open = "open"
    partially_paid = "partially_paid"
    paid = "paid"
    overdue = "overdue"
    cancelled = "cancelled"


class BalanceKind(enum.StrEnum):
    """Operational: services rendered, penalties (demurrage …) and prepayments as operations see them;
    accounting: the ledger's balance. The accounting system reports each as of a date."""

    operational = "operational"
    accounting = "accounting"


class Invoice(Base):
    """An invoice the accounting system issued to a party, with the amount paid on it so far."""

    __tablename__ = "invoices"
    __table_args__ = (
        UniqueConstraint("party_id", "number"),
        # The key the allocations name an invoice by, with its party: no allocation crosses parties.
        UniqueConstraint("id", "party_id"),
        Index("ix_invoices_party_id_issue_date", "party_id", "issue_date"),
        CheckConstraint("paid_amount >= 0", name="paid_amount"),
        CheckConstraint("due_date >= issue_date", name="due_date"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    contract_id: Mapped[int | None] = mapped_column(ForeignKey("contracts.id", ondelete="SET NULL"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    issue_date: Mapped[date] = mapped_column(Date)
    due_date: Mapped[date] = mapped_column(Date)
    # The billed period (a month, a quarter); None for an invoice that bills no period (a prepayment).
    period_start: Mapped[date | None] = mapped_column(Date)
    period_end: Mapped[date | None] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    net_amount: Mapped[Decimal] = mapped_column(MONEY)
    vat_amount: Mapped[Decimal] = mapped_column(MONEY)
    total_amount: Mapped[Decimal] = mapped_column(MONEY)
    paid_amount: Mapped[Decimal] = mapped_column(MONEY, default=ZERO)
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    # The PDF the accounting system made of it, in the content-addressed store; served instead of ours.
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    contract = relationship("Contract")
    party = relationship("Party")
    lines: Mapped[list["InvoiceLine"]] = relationship(
        back_populates="invoice", order_by="InvoiceLine.position", cascade="all, delete-orphan")

    @property
    def remainder(self) -> Decimal:
        """What is still to pay (never below zero: an overpayment is the payment's, not the invoice's)."""
        return invoice_remainder(self)

    @property
    def paid_percent(self) -> Decimal:
        """The share paid, in per cent to one decimal (100.0 for a paid invoice of nothing)."""
        if not self.total_amount:
            return Decimal("100.0")
        share = min(self.paid_amount / self.total_amount, Decimal(1)) * 100
        return share.quantize(Decimal("0.1"))

    def state_on(self, today: date) -> InvoiceState:
        """The state on ``today``: the rule ``invoice_state`` writes in SQL, here for one loaded invoice."""
        return invoice_state_on(self, today)


def invoice_remainder(invoice) -> Decimal:
    """``Invoice.remainder`` of an invoice or of a row of its columns (a list page's)."""
    if invoice.cancelled:
        return ZERO
    return max(invoice.total_amount - invoice.paid_amount, ZERO)


def invoice_state_on(invoice, today: date) -> InvoiceState:
    """``Invoice.state_on`` of an invoice or of a row of its columns (a list page's)."""
    if invoice.cancelled:
        return InvoiceState.cancelled
    if invoice.paid_amount >= invoice.total_amount:
        return InvoiceState.paid
    if invoice.due_date < today:
        return InvoiceState.overdue
    if invoice.paid_amount > 0:
        return InvoiceState.partially_paid
    return InvoiceState.open


def state_conditions(today: date) -> dict:
    """State -> the SQL condition of an invoice being in it on ``today`` (``Invoice.state_on`` in SQL).

    Exactly one holds for every invoice; a filter by state is a condition on
    plain columns, so the database can use its indexes.
    """
    live = Invoice.cancelled.is_(False)
    unpaid = and_(live, Invoice.paid_amount < Invoice.total_amount)
    return {
        InvoiceState.cancelled: Invoice.cancelled.is_(True),
        InvoiceState.paid: and_(live, Invoice.paid_amount >= Invoice.total_amount),
        InvoiceState.overdue: and_(unpaid, Invoice.due_date < today),
        InvoiceState.partially_paid: and_(unpaid, Invoice.due_date >= today, Invoice.paid_amount > 0),
        InvoiceState.open: and_(unpaid, Invoice.due_date >= today, Invoice.paid_amount <= 0),
    }


def invoice_state(today: date):
    """The state on ``today`` as one SQL expression (to select or sort by)."""
    return case(*((condition, literal(state.value)) for state, condition in state_conditions(today).items()))


class InvoiceLine(Base):
    """One line of an invoice: what was billed, how much of it, at what price and VAT."""

    __tablename__ = "invoice_lines"
    __table_args__ = (UniqueConstraint("invoice_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    invoice_id: Mapped[int] = mapped_column(ForeignKey("invoices.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(String(500))
    quantity: Mapped[Decimal] = mapped_column(QUANTITY)
    unit: Mapped[str] = mapped_column(String(16))
    unit_price: Mapped[Decimal] = mapped_column(PRICE)
    vat_rate: Mapped[Decimal] = mapped_column(RATE)
    net_amount: Mapped[Decimal] = mapped_column(MONEY)
    vat_amount: Mapped[Decimal] = mapped_column(MONEY)
    total_amount: Mapped[Decimal] = mapped_column(MONEY)

    invoice: Mapped[Invoice] = relationship(back_populates="lines")


class Payment(Base):
    """Money a party paid, as the accounting system booked it."""

    __tablename__ = "payments"
    __table_args__ = (
        UniqueConstraint("id", "party_id"),
        Index("ix_payments_party_id_paid_on", "party_id", "paid_on"),
        CheckConstraint("amount > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    number: Mapped[str | None] = mapped_column(String(64))  # the payment order's number
    paid_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    purpose: Mapped[str] = mapped_column(String(500), default="")
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    allocations: Mapped[list["PaymentAllocation"]] = relationship(
        back_populates="payment", order_by="PaymentAllocation.id", cascade="all, delete-orphan")


class PaymentAllocation(Base):
    """The part of a payment that paid one invoice. Both keys carry the party, so an allocation
    can only join a payment and an invoice of one party (the database refuses anything else)."""

    __tablename__ = "payment_allocations"
    __table_args__ = (
        UniqueConstraint("payment_id", "invoice_id"),
        ForeignKeyConstraint(["payment_id", "party_id"], ["payments.id", "payments.party_id"], ondelete="CASCADE"),
        ForeignKeyConstraint(["invoice_id", "party_id"], ["invoices.id", "invoices.party_id"], ondelete="CASCADE"),
        Index("ix_payment_allocations_invoice_id", "invoice_id"),
        CheckConstraint("amount > 0", name="amount"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    payment_id: Mapped[int] = mapped_column(Integer)
    invoice_id: Mapped[int] = mapped_column(Integer)
    amount: Mapped[Decimal] = mapped_column(MONEY)

    payment: Mapped[Payment] = relationship(back_populates="allocations", overlaps="invoice")
    invoice: Mapped[Invoice] = relationship(overlaps="allocations,payment")


class Balance(Base):
    """A balance the accounting system reported for a party as of a date (positive: the customer owes).

    An operational balance also says what it is made of: services rendered, penalties (demurrage,
    late fees) and prepayments received; an accounting balance is the ledger's figure alone.
    """

    __tablename__ = "balances"
    __table_args__ = (
        UniqueConstraint("party_id", "kind", "currency", "as_of"),
        CheckConstraint(check_in("kind", BalanceKind), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    as_of: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3), default="RUB")
    amount: Mapped[Decimal] = mapped_column(MONEY)
    services_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    penalties_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    prepayments_amount: Mapped[Decimal | None] = mapped_column(MONEY)
    external_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


from portal.finance.models.advances import (  # noqa: E402, F401  (a sibling module; needs the above)
    AdvancePayment,
    AdvanceSchedule,
    AdvanceState,
    payment_state_conditions,
    schedule_state_conditions,
)
from portal.finance.models.price_lists import (  # noqa: E402, F401  (a sibling module; needs the above)
    PriceList,
    PriceListAudience,
    PriceListGroup,
    PriceListItem,
    PriceListParty,
    PriceListStatus,
)
from portal.finance.models.top_up import TopUpRequest as TopUpRequest  # noqa: E402  (needs the above)
