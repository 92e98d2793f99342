"""Staff groups: the teams (dispatch, metering, back office) that work is routed to."""
from sqlalchemy import Boolean, ForeignKey, String, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from portal.db.meta import Base


class StaffGroup(Base):
    """A team of staff (dispatch, metering, back office) that a queue is routed to."""

    __tablename__ = "staff_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # The one group an administrator chose to answer customers' messages (/admin/messages/).
    answers_messages: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    members = relationship("User", secondary="staff_group_members", order_by="User.last_name")


class StaffGroupMember(Base):
    __tablename__ = "staff_group_members"

    group_id: Mapped[int] = mapped_column(
        ForeignKey("staff_groups.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
