"""A customer's request for an invoice of an amount they choose (a top-up of a prepayment).

It is filed as a customer request of the configured type (``portal.finance.top_up_type``), so the
back office works it in its queue like any other; this row keeps what the request cannot: the
amount, and the invoice the accounting system issued for it, which settles the request.
"""
from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base, UTCDateTime, utcnow
from portal.finance.models import MONEY


class TopUpRequest(Base):
    """The amount asked for by one customer request, and the invoice that answered it."""

    __tablename__ = "top_up_requests"
    __table_args__ = (CheckConstraint("amount > 0", name="amount"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("customer_requests.id", ondelete="CASCADE"), unique=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("parties.id", ondelete="CASCADE"), index=True)
    amount: Mapped[Decimal] = mapped_column(MONEY)
    currency: Mapped[str] = mapped_column(String(3))
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id", ondelete="SET NULL"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request = relationship("CustomerRequest")
    invoice = relationship("Invoice")
