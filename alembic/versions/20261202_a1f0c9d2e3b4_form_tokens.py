"""One-time form tokens (filing is idempotent per rendered form); files sent with a transition

Revision ID: a1f0c9d2e3b4
Revises: 5c1e0a7d9b42
Create Date: 2026-12-02 17:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'a1f0c9d2e3b4'
down_revision: Union[str, Sequence[str], None] = '5c1e0a7d9b42'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        "form_tokens",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("form", sa.String(length=32), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("location", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_form_tokens_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_form_tokens")),
    )
    with op.batch_alter_table("form_tokens", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_form_tokens_used_at"), ["used_at"], unique=False)
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("history_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_attachments_history_id_workflow_history"),
                                    "workflow_history", ["history_id"], ["id"], ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("attachments", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_attachments_history_id_workflow_history"), type_="foreignkey")
        batch_op.drop_column("history_id")
    with op.batch_alter_table("form_tokens", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_form_tokens_used_at"))
    op.drop_table("form_tokens")
