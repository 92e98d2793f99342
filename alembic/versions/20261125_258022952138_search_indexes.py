"""Search and counter indexes: trigram indexes for the party search (PostgreSQL only), unread receipts by user

Revision ID: 258022952138
Revises: 162a0dad4b63
Create Date: 2026-11-25 12:09:30.119758

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '258022952138'
down_revision: Union[str, Sequence[str], None] = '162a0dad4b63'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The party directory searches lower(column) LIKE '%text%'. On PostgreSQL a trigram index
# answers that without reading the table, and gives the planner a true estimate of the
# matches (without it, it guessed 5 rows for 4,920 and sorted a sequential scan). pg_trgm is
# a trusted extension (PostgreSQL 13+): the database owner may create it. SQLite has no such
# index; its searches read the table. The models do not declare these (portal.models.meta).
TRIGRAM_INDEXES = {
    "ix_parties_name_trgm": ("parties", "name"),
    "ix_parties_tax_id_trgm": ("parties", "tax_id"),
    "ix_parties_external_id_trgm": ("parties", "external_id"),
}


def upgrade() -> None:
    with op.batch_alter_table("message_receipts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_message_receipts_user_id"))
        batch_op.create_index("ix_message_receipts_user_id_read_at", ["user_id", "read_at"], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name, (table, column) in TRIGRAM_INDEXES.items():
            op.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (lower({column}) gin_trgm_ops)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        for name in TRIGRAM_INDEXES:
            op.execute(f"DROP INDEX IF EXISTS {name}")
    with op.batch_alter_table("message_receipts", schema=None) as batch_op:
        batch_op.drop_index("ix_message_receipts_user_id_read_at")
        batch_op.create_index(batch_op.f("ix_message_receipts_user_id"), ["user_id"], unique=False)
