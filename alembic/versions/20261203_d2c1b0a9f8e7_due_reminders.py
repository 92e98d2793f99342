"""Due reminders: which stage of an item's due time its people were reminded of

Revision ID: d2c1b0a9f8e7
Revises: f8a7b6c5d4e3
Create Date: 2026-12-03 00:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd2c1b0a9f8e7'
down_revision: Union[str, Sequence[str], None] = 'f8a7b6c5d4e3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'due_reminders',
        sa.Column('workflow', sa.String(length=32), nullable=False),
        sa.Column('item_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('workflow', 'item_id', 'stage', name=op.f('pk_due_reminders')),
    )


def downgrade() -> None:
    op.drop_table('due_reminders')
