"""Message threads routed like requests: to the party's manager and a responsible staff group

The staff group an administrator chooses to answer messages (staff_groups.answers_messages),
each thread's group taken from it when the thread starts (message_threads.group_id), and an
index for /messages/, which lists threads across parties by their last message.

Revision ID: c3d2e1f0a5b6
Revises: b2e1d0c3f4a5
Create Date: 2026-12-02 17:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'c3d2e1f0a5b6'
down_revision: Union[str, Sequence[str], None] = 'b2e1d0c3f4a5'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('staff_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answers_messages', sa.Boolean(), server_default=sa.false(), nullable=False))
    with op.batch_alter_table('message_threads', schema=None) as batch_op:
        batch_op.add_column(sa.Column('group_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_message_threads_group_id_staff_groups'), 'staff_groups',
                                    ['group_id'], ['id'], ondelete='SET NULL')
        batch_op.create_index('ix_message_threads_last_message_at', ['last_message_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('message_threads', schema=None) as batch_op:
        batch_op.drop_index('ix_message_threads_last_message_at')
        batch_op.drop_constraint(batch_op.f('fk_message_threads_group_id_staff_groups'), type_='foreignkey')
        batch_op.drop_column('group_id')
    with op.batch_alter_table('staff_groups', schema=None) as batch_op:
        batch_op.drop_column('answers_messages')
