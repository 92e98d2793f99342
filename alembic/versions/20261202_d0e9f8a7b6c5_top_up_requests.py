"""Finance: top-up invoice requests

Revision ID: d0e9f8a7b6c5
Revises: c9d8e7f6a5b4
Create Date: 2026-12-02 21:00:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd0e9f8a7b6c5'
down_revision: Union[str, Sequence[str], None] = 'c9d8e7f6a5b4'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('top_up_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('invoice_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_top_up_requests_amount')),
    sa.ForeignKeyConstraint(['invoice_id'], ['invoices.id'], name=op.f('fk_top_up_requests_invoice_id_invoices'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_top_up_requests_party_id_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['request_id'], ['customer_requests.id'], name=op.f('fk_top_up_requests_request_id_customer_requests'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_top_up_requests')),
    sa.UniqueConstraint('invoice_id', name=op.f('uq_top_up_requests_invoice_id')),
    sa.UniqueConstraint('request_id', name=op.f('uq_top_up_requests_request_id'))
    )
    op.create_index(op.f('ix_top_up_requests_party_id'), 'top_up_requests', ['party_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_index(op.f('ix_top_up_requests_party_id'), table_name='top_up_requests')
    op.drop_table('top_up_requests')
