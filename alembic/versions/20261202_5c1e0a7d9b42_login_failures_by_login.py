"""Failed logins found by login: a login's lock is read from its latest failures, known login or not

Revision ID: 5c1e0a7d9b42
Revises: 258022952138
Create Date: 2026-12-02 12:30:00.000000

"""
from typing import Sequence, Union

from alembic import op

# revision identifiers, used by Alembic.
revision: str = '5c1e0a7d9b42'
down_revision: Union[str, Sequence[str], None] = '258022952138'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_login_at", ["login", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_login_at")
