"""The one-time form tokens that have been used, and where each led."""
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from portal.db.meta import Base, UTCDateTime, utcnow


class UsedFormToken(Base):
    """A form token that filed something: its key is the token's nonce, so of two POSTs of one
    form (even at the same moment, on two connections) only one can record it and file."""

    __tablename__ = "form_tokens"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    form: Mapped[str] = mapped_column(String(32))  # the form's id ("new-ticket")
    used_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    # The page of what it filed (path, query and anchor): where a repeated POST is sent.
    location: Mapped[str | None] = mapped_column(String(1000))
