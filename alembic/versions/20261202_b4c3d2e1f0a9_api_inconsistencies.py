"""Integration: records that reference what never arrived

Revision ID: b4c3d2e1f0a9
Revises: a3b2c1d0e9f8
Create Date: 2026-12-02 21:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b4c3d2e1f0a9'
down_revision: Union[str, Sequence[str], None] = 'a3b2c1d0e9f8'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('api_inconsistencies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=40), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('field', sa.String(length=64), nullable=False),
    sa.Column('reference', sa.String(length=200), nullable=False),
    sa.Column('row', sa.JSON(), nullable=False),
    sa.Column('first_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_inconsistencies')),
    sa.UniqueConstraint('entity', 'external_id', 'field', name=op.f('uq_api_inconsistencies_entity'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('api_inconsistencies')
