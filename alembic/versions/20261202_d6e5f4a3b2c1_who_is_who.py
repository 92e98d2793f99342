"""Onboarding: roles in a party, blocked parties, the licence limit

Every membership there is becomes of the role ``all`` (it sees what it saw), every party
``active``; a membership may now be ``suspended``. The licence's one row is made here.

Revision ID: d6e5f4a3b2c1
Revises: c5d4e3f2a1b0
Create Date: 2026-12-02 21:15:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'd6e5f4a3b2c1'
down_revision: Union[str, Sequence[str], None] = 'c5d4e3f2a1b0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


STATES = "state IN ('requested', 'active', 'suspended', 'revoked')"
FORMER_STATES = "state IN ('requested', 'active', 'revoked')"

memberships = sa.table("memberships", sa.column("state", sa.String))
customer_licence = sa.table("customer_licence", sa.column("id", sa.Integer))


def upgrade() -> None:
    """Upgrade schema."""
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.add_column(sa.Column('state', sa.String(length=16), server_default='active', nullable=False))
        batch_op.create_check_constraint(op.f('ck_parties_state'), "state IN ('active', 'blocked')")
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), server_default='all', nullable=False))
        batch_op.create_check_constraint(op.f('ck_memberships_role'), "role IN ('all', 'finance', 'operations')")
        batch_op.drop_constraint(op.f('ck_memberships_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_memberships_state'), STATES)
    op.create_table('customer_licence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_customer_licence'))
    )
    op.bulk_insert(customer_licence, [{"id": 1}])


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('customer_licence')
    # A suspended membership was never a state before: it lets nobody in, as a revoked one.
    op.execute(memberships.update().where(memberships.c.state == "suspended").values(state="revoked"))
    with op.batch_alter_table('memberships', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_memberships_state'), type_='check')
        batch_op.create_check_constraint(op.f('ck_memberships_state'), FORMER_STATES)
        batch_op.drop_constraint(op.f('ck_memberships_role'), type_='check')
        batch_op.drop_column('role')
    with op.batch_alter_table('parties', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_parties_state'), type_='check')
        batch_op.drop_column('state')
