"""Finance: advance schedules and their planned payments

Revision ID: b8c7d6e5f4a3
Revises: a7b6c5d4e3f2
Create Date: 2026-12-02 21:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'b8c7d6e5f4a3'
down_revision: Union[str, Sequence[str], None] = 'a7b6c5d4e3f2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('advance_schedules',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.String(length=64), nullable=False),
    sa.Column('issue_date', sa.Date(), nullable=False),
    sa.Column('period_start', sa.Date(), nullable=False),
    sa.Column('period_end', sa.Date(), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('period_end >= period_start', name=op.f('ck_advance_schedules_period')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_advance_schedules_contract_id_contracts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_advance_schedules_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advance_schedules')),
    sa.UniqueConstraint('external_id', name=op.f('uq_advance_schedules_external_id')),
    sa.UniqueConstraint('party_id', 'number', name=op.f('uq_advance_schedules_party_id'))
    )
    op.create_index(op.f('ix_advance_schedules_contract_id'), 'advance_schedules', ['contract_id'], unique=False)
    op.create_index('ix_advance_schedules_party_id_issue_date', 'advance_schedules', ['party_id', 'issue_date'], unique=False)
    op.create_table('advance_payments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('schedule_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('due_date', sa.Date(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('paid_amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_advance_payments_amount')),
    sa.CheckConstraint('paid_amount >= 0', name=op.f('ck_advance_payments_paid_amount')),
    sa.ForeignKeyConstraint(['schedule_id'], ['advance_schedules.id'], name=op.f('fk_advance_payments_schedule_id_advance_schedules'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_advance_payments')),
    sa.UniqueConstraint('schedule_id', 'position', name=op.f('uq_advance_payments_schedule_id'))
    )


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('advance_payments')
    op.drop_index('ix_advance_schedules_party_id_issue_date', table_name='advance_schedules')
    op.drop_index(op.f('ix_advance_schedules_contract_id'), table_name='advance_schedules')
    op.drop_table('advance_schedules')
