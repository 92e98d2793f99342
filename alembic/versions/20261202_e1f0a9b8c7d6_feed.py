"""Integration: the feed of customer submissions and its acknowledgements

Revision ID: e1f0a9b8c7d6
Revises: d0e9f8a7b6c5
Create Date: 2026-12-02 21:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'e1f0a9b8c7d6'
down_revision: Union[str, Sequence[str], None] = 'd0e9f8a7b6c5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('feed_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('seq', sa.BigInteger(), nullable=True),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_feed_events')),
    sqlite_autoincrement=True
    )
    with op.batch_alter_table('feed_events', schema=None) as batch_op:
        batch_op.create_index('ix_feed_events_kind_seq_id', ['kind', 'seq', 'id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        # The place each publishing transaction draws as it commits (api/feed/services.py).
        op.execute(sa.schema.CreateSequence(sa.Sequence('feed_commit_seq')))

    op.create_table('feed_positions',
    sa.Column('key_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('served_seq', sa.BigInteger(), nullable=False),
    sa.Column('served_id', sa.Integer(), nullable=False),
    sa.Column('acked_seq', sa.BigInteger(), nullable=False),
    sa.Column('acked_id', sa.Integer(), nullable=False),
    sa.Column('served_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('acked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['key_id'], ['api_keys.id'], name=op.f('fk_feed_positions_key_id_api_keys'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('key_id', 'kind', name=op.f('pk_feed_positions'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('feed_positions')
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(sa.schema.DropSequence(sa.Sequence('feed_commit_seq')))
    with op.batch_alter_table('feed_events', schema=None) as batch_op:
        batch_op.drop_index('ix_feed_events_kind_seq_id')
    op.drop_table('feed_events')
