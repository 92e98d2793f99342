"""Onboarding: self-registration, SMS codes, notification preferences and SMS in the outbox

Revision ID: f8a7b6c5d4e3
Revises: e7f6a5b4c3d2
Create Date: 2026-12-02 21:15:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'f8a7b6c5d4e3'
down_revision: Union[str, Sequence[str], None] = 'e7f6a5b4c3d2'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


# What the single "e-mail notices" switch of the account page covered: switched off, these kinds
# become "in the portal only" (notifications/kinds.py, FORMER_EMAIL_SWITCH).
FORMER_SWITCH_KINDS = ('work', 'news', 'messages')

users = sa.table('users', sa.column('id', sa.Integer), sa.column('email_notifications', sa.Boolean))
preferences = sa.table('notification_preferences', sa.column('user_id', sa.Integer), sa.column('kind', sa.String),
                       sa.column('channel', sa.String))
outbox = sa.table('outbox', sa.column('channel', sa.String))


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('notification_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'sms', 'portal', 'off')", name=op.f('ck_notification_preferences_channel')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notification_preferences'))
    )
    op.create_table('role_notification_defaults',
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('channel', sa.String(length=8), nullable=False),
    sa.CheckConstraint("role IN ('backoffice', 'service', 'manager', 'head', 'admin')", name=op.f('ck_role_notification_defaults_role')),
    sa.CheckConstraint("channel IN ('email', 'sms', 'portal', 'off')", name=op.f('ck_role_notification_defaults_channel')),
    sa.PrimaryKeyConstraint('role', 'kind', name=op.f('pk_role_notification_defaults'))
    )
    connection = op.get_bind()
    for kind in FORMER_SWITCH_KINDS:
        connection.execute(preferences.insert().from_select(
            ['user_id', 'kind', 'channel'],
            sa.select(users.c.id, sa.literal(kind), sa.literal('portal')).where(users.c.email_notifications == sa.false())))
    # Not in batch mode: on SQLite a batch rebuilds the table, and dropping the old users table would
    # delete every row that references a user (foreign keys are on, ON DELETE CASCADE). SQLite 3.35
    # and later drop a column in place, as PostgreSQL does.
    op.drop_column('users', 'email_notifications')

    # The outbox carries SMS too. The outbox has no dependent table yet, so its rebuild on SQLite is safe.
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('channel', sa.String(length=8), server_default='email', nullable=False))
        batch_op.create_check_constraint(op.f('ck_outbox_channel'), "channel IN ('email', 'sms')")
        batch_op.drop_index('ix_outbox_due')
        batch_op.create_index('ix_outbox_due', ['channel', 'state', 'next_attempt_at', 'id'], unique=False)
    op.create_table('outbox_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('outcome', sa.String(length=8), nullable=False),
    sa.Column('error', sa.String(length=500), nullable=True),
    sa.CheckConstraint("outcome IN ('sent', 'retry', 'failed')", name=op.f('ck_outbox_attempts_outcome')),
    sa.ForeignKeyConstraint(['message_id'], ['outbox.id'], name=op.f('fk_outbox_attempts_message_id_outbox'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attempts'))
    )
    with op.batch_alter_table('outbox_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attempts_message_id'), ['message_id'], unique=False)

    op.create_table('registrations',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ip', sa.String(length=45), nullable=True),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('email_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('phone_confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_registrations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_registrations'))
    )
    op.create_table('membership_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('company_name', sa.String(length=255), nullable=False),
    sa.Column('tax_id', sa.String(length=32), nullable=True),
    sa.Column('customer_number', sa.String(length=64), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("state IN ('unconfirmed', 'requested', 'bound', 'rejected')", name=op.f('ck_membership_requests_state')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_membership_requests_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_membership_requests_party_id_parties'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_membership_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_membership_requests'))
    )
    with op.batch_alter_table('membership_requests', schema=None) as batch_op:
        batch_op.create_index('ix_membership_requests_state_created_at', ['state', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_membership_requests_user_id'), ['user_id'], unique=False)
    op.create_table('sms_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_sms_codes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sms_codes'))
    )
    with op.batch_alter_table('sms_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_sms_codes_user_id'), ['user_id'], unique=False)
    op.create_table('rate_limit_hits',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=254), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_limit_hits'))
    )
    with op.batch_alter_table('rate_limit_hits', schema=None) as batch_op:
        batch_op.create_index('ix_rate_limit_hits_name_key_at', ['name', 'key', 'at'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    op.drop_table('rate_limit_hits')
    op.drop_table('sms_codes')
    op.drop_table('membership_requests')
    op.drop_table('registrations')
    op.drop_table('outbox_attempts')
    # The e-mail-only outbox cannot hold SMS: those rows go.
    op.get_bind().execute(outbox.delete().where(outbox.c.channel == 'sms'))
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
        batch_op.drop_constraint(op.f('ck_outbox_channel'), type_='check')
        batch_op.drop_column('channel')
        batch_op.create_index('ix_outbox_due', ['state', 'next_attempt_at', 'id'], unique=False)
    # Not in batch mode, as in upgrade(): SQLite adds a column in place.
    op.add_column('users', sa.Column('email_notifications', sa.Boolean(), server_default=sa.true(), nullable=False))
    connection = op.get_bind()
    quiet = sa.select(preferences.c.user_id).where(preferences.c.kind == 'work',
                                                   preferences.c.channel.in_(('portal', 'off')))
    connection.execute(users.update().where(users.c.id.in_(quiet)).values(email_notifications=False))
    op.drop_table('role_notification_defaults')
    op.drop_table('notification_preferences')
