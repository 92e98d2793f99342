"""Utility: supply points, their meters and registers, meter readings and their values

Revision ID: e5d4c3b2a1f0
Revises: d4c3b2a1f0e9
Create Date: 2026-12-02 17:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'e5d4c3b2a1f0'
down_revision: Union[str, Sequence[str], None] = 'd4c3b2a1f0e9'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('supply_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('medium', sa.String(length=16), nullable=False),
    sa.Column('tariff', sa.String(length=100), nullable=False),
    sa.Column('contract_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('self_readings', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("medium IN ('electricity', 'gas', 'water', 'heat')", name=op.f('ck_supply_points_medium')),
    sa.CheckConstraint("state IN ('active', 'disconnected', 'terminated')", name=op.f('ck_supply_points_state')),
    sa.ForeignKeyConstraint(['contract_id'], ['contracts.id'], name=op.f('fk_supply_points_contract_id_contracts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_supply_points_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supply_points')),
    sa.UniqueConstraint('external_id', name=op.f('uq_supply_points_external_id')),
    sa.UniqueConstraint('id', 'party_id', name=op.f('uq_supply_points_id'))
    )
    op.create_index(op.f('ix_supply_points_contract_id'), 'supply_points', ['contract_id'], unique=False)
    op.create_index('ix_supply_points_party_id_address', 'supply_points', ['party_id', 'address'], unique=False)
    op.create_table('meters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('supply_point_id', sa.Integer(), nullable=False),
    sa.Column('serial_number', sa.String(length=64), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=True),
    sa.Column('installed_on', sa.Date(), nullable=True),
    sa.Column('removed_on', sa.Date(), nullable=True),
    sa.CheckConstraint('removed_on IS NULL OR installed_on IS NULL OR removed_on >= installed_on', name=op.f('ck_meters_dates')),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_meters_party_id_parties'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['supply_point_id', 'party_id'], ['supply_points.id', 'supply_points.party_id'], name='fk_meters_supply_point', ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meters')),
    sa.UniqueConstraint('external_id', name=op.f('uq_meters_external_id')),
    sa.UniqueConstraint('id', 'party_id', name=op.f('uq_meters_id'))
    )
    op.create_index(op.f('ix_meters_party_id'), 'meters', ['party_id'], unique=False)
    op.create_index('ix_meters_supply_point_id', 'meters', ['supply_point_id'], unique=False)
    op.create_table('readings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('reading_date', sa.Date(), nullable=False),
    sa.Column('state', sa.String(length=24), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('plausible', sa.Boolean(), nullable=True),
    sa.Column('previous_on', sa.Date(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("origin IN ('customer', 'accounting')", name=op.f('ck_readings_origin')),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_readings_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_readings_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['meter_id', 'party_id'], ['meters.id', 'meters.party_id'], name='fk_readings_meter', ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_readings_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_readings'))
    )
    op.create_index('ix_readings_meter_id_reading_date', 'readings', ['meter_id', 'reading_date'], unique=False)
    op.create_index('ix_readings_party_id_state', 'readings', ['party_id', 'state'], unique=False)
    op.create_index('ix_readings_state_created_at', 'readings', ['state', 'created_at'], unique=False)
    op.create_index('uq_readings_meter_id_day', 'readings', ['meter_id', 'reading_date'], unique=True, sqlite_where=sa.text("state != 'rejected'"), postgresql_where=sa.text("state != 'rejected'"))
    op.create_table('registers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meter_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('integer_digits', sa.Integer(), nullable=False),
    sa.Column('decimals', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('expected_daily', sa.Numeric(precision=14, scale=4), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('decimals BETWEEN 0 AND 4', name=op.f('ck_registers_decimals')),
    sa.CheckConstraint('expected_daily IS NULL OR expected_daily > 0', name=op.f('ck_registers_expected_daily')),
    sa.CheckConstraint('integer_digits BETWEEN 1 AND 12', name=op.f('ck_registers_integer_digits')),
    sa.ForeignKeyConstraint(['meter_id'], ['meters.id'], name=op.f('fk_registers_meter_id_meters'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registers')),
    sa.UniqueConstraint('meter_id', 'code', name=op.f('uq_registers_meter_id'))
    )
    op.create_table('reading_values',
    sa.Column('reading_id', sa.Integer(), nullable=False),
    sa.Column('register_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('value', sa.Numeric(precision=16, scale=4), nullable=False),
    sa.Column('consumption', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('expected', sa.Numeric(precision=16, scale=4), nullable=True),
    sa.Column('rollover', sa.Boolean(), nullable=False),
    sa.CheckConstraint('value >= 0', name=op.f('ck_reading_values_value')),
    sa.ForeignKeyConstraint(['reading_id'], ['readings.id'], name=op.f('fk_reading_values_reading_id_readings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['register_id'], ['registers.id'], name=op.f('fk_reading_values_register_id_registers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('reading_id', 'register_id', name=op.f('pk_reading_values'))
    )
    op.create_index(op.f('ix_reading_values_register_id'), 'reading_values', ['register_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_reading_values_register_id'), table_name='reading_values')
    op.drop_table('reading_values')
    op.drop_table('registers')
    op.drop_index('uq_readings_meter_id_day', table_name='readings', sqlite_where=sa.text("state != 'rejected'"), postgresql_where=sa.text("state != 'rejected'"))
    op.drop_index('ix_readings_state_created_at', table_name='readings')
    op.drop_index('ix_readings_party_id_state', table_name='readings')
    op.drop_index('ix_readings_meter_id_reading_date', table_name='readings')
    op.drop_table('readings')
    op.drop_index('ix_meters_supply_point_id', table_name='meters')
    op.drop_index(op.f('ix_meters_party_id'), table_name='meters')
    op.drop_table('meters')
    op.drop_index('ix_supply_points_party_id_address', table_name='supply_points')
    op.drop_index(op.f('ix_supply_points_contract_id'), table_name='supply_points')
    op.drop_table('supply_points')
