"""Finance: price lists, their items and audiences

Revision ID: c9d8e7f6a5b4
Revises: b8c7d6e5f4a3
Create Date: 2026-12-02 21:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c9d8e7f6a5b4'
down_revision: Union[str, Sequence[str], None] = 'b8c7d6e5f4a3'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('price_lists',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('audience', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("audience IN ('all', 'chosen')", name=op.f('ck_price_lists_audience')),
    sa.CheckConstraint('valid_to IS NULL OR valid_to >= valid_from', name=op.f('ck_price_lists_validity')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_lists')),
    sa.UniqueConstraint('external_id', name=op.f('uq_price_lists_external_id'))
    )
    op.create_table('price_list_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=500), nullable=False),
    sa.Column('unit', sa.String(length=32), nullable=False),
    sa.Column('price', sa.Numeric(precision=16, scale=4), nullable=False),
    sa.Column('vat_rate', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['price_list_id'], ['price_lists.id'], name=op.f('fk_price_list_items_price_list_id_price_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_price_list_items')),
    sa.UniqueConstraint('price_list_id', 'position', name=op.f('uq_price_list_items_price_list_id'))
    )
    op.create_table('price_list_parties',
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_price_list_parties_party_id_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['price_list_id'], ['price_lists.id'], name=op.f('fk_price_list_parties_price_list_id_price_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('price_list_id', 'party_id', name=op.f('pk_price_list_parties'))
    )
    with op.batch_alter_table('price_list_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_list_parties_party_id'), ['party_id'], unique=False)

    op.create_table('price_list_groups',
    sa.Column('price_list_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['party_groups.id'], name=op.f('fk_price_list_groups_group_id_party_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['price_list_id'], ['price_lists.id'], name=op.f('fk_price_list_groups_price_list_id_price_lists'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('price_list_id', 'group_id', name=op.f('pk_price_list_groups'))
    )
    with op.batch_alter_table('price_list_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_price_list_groups_group_id'), ['group_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('price_list_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_list_groups_group_id'))
    op.drop_table('price_list_groups')
    with op.batch_alter_table('price_list_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_price_list_parties_party_id'))
    op.drop_table('price_list_parties')
    op.drop_table('price_list_items')
    op.drop_table('price_lists')
