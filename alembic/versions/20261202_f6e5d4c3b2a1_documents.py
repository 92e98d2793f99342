"""Documents: folders, documents and their versions, visibility (parties, party groups), notices

Revision ID: f6e5d4c3b2a1
Revises: e5d4c3b2a1f0
Create Date: 2026-12-02 17:30:00.000000

"""
from typing import Sequence, Union

import sqlalchemy as sa

from alembic import op

# revision identifiers, used by Alembic.
revision: str = 'f6e5d4c3b2a1'
down_revision: Union[str, Sequence[str], None] = 'e5d4c3b2a1f0'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    """Upgrade schema."""
    op.create_table('party_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_party_groups')),
    sa.UniqueConstraint('name', name=op.f('uq_party_groups_name'))
    )
    op.create_table('party_group_members',
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['group_id'], ['party_groups.id'], name=op.f('fk_party_group_members_group_id_party_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_party_group_members_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('group_id', 'party_id', name=op.f('pk_party_group_members'))
    )
    with op.batch_alter_table('party_group_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_party_group_members_party_id'), ['party_id'], unique=False)

    op.create_table('document_folders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('title_ru', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('title_en IS NOT NULL OR title_ru IS NOT NULL', name=op.f('ck_document_folders_titled')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_folders'))
    )
    op.create_table('documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('folder_id', sa.Integer(), nullable=True),
    sa.Column('title_en', sa.String(length=200), nullable=True),
    sa.Column('title_ru', sa.String(length=200), nullable=True),
    sa.Column('tags', sa.String(length=1000), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_by_id', sa.Integer(), nullable=True),
    sa.CheckConstraint("visibility IN ('all', 'chosen', 'staff')", name=op.f('ck_documents_visibility')),
    sa.CheckConstraint("state IN ('published', 'withdrawn')", name=op.f('ck_documents_state')),
    sa.CheckConstraint('title_en IS NOT NULL OR title_ru IS NOT NULL', name=op.f('ck_documents_titled')),
    sa.CheckConstraint('valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from', name=op.f('ck_documents_validity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_documents_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['folder_id'], ['document_folders.id'], name=op.f('fk_documents_folder_id_document_folders'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['withdrawn_by_id'], ['users.id'], name=op.f('fk_documents_withdrawn_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_documents'))
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_documents_folder_id'), ['folder_id'], unique=False)
        batch_op.create_index('ix_documents_state_visibility', ['state', 'visibility'], unique=False)

    op.create_table('document_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_versions_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_document_versions_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_document_versions')),
    sa.UniqueConstraint('document_id', 'number', name=op.f('uq_document_versions_document_id'))
    )
    op.create_table('document_parties',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_parties_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_document_parties_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'party_id', name=op.f('pk_document_parties'))
    )
    with op.batch_alter_table('document_parties', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_parties_party_id'), ['party_id'], unique=False)

    op.create_table('document_groups',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_groups_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['group_id'], ['party_groups.id'], name=op.f('fk_document_groups_group_id_party_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'group_id', name=op.f('pk_document_groups'))
    )
    with op.batch_alter_table('document_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_groups_group_id'), ['group_id'], unique=False)

    op.create_table('document_notices',
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.Column('party_id', sa.Integer(), nullable=False),
    sa.Column('attached_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('attached_by_id', sa.Integer(), nullable=True),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('opened_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['attached_by_id'], ['users.id'], name=op.f('fk_document_notices_attached_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['documents.id'], name=op.f('fk_document_notices_document_id_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['opened_by_id'], ['users.id'], name=op.f('fk_document_notices_opened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['party_id'], ['parties.id'], name=op.f('fk_document_notices_party_id_parties'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('document_id', 'party_id', name=op.f('pk_document_notices'))
    )
    with op.batch_alter_table('document_notices', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_document_notices_party_id'), ['party_id'], unique=False)


def downgrade() -> None:
    """Downgrade schema."""
    with op.batch_alter_table('document_notices', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_notices_party_id'))
    op.drop_table('document_notices')
    with op.batch_alter_table('document_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_groups_group_id'))
    op.drop_table('document_groups')
    with op.batch_alter_table('document_parties', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_document_parties_party_id'))
    op.drop_table('document_parties')
    op.drop_table('document_versions')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index('ix_documents_state_visibility')
        batch_op.drop_index(batch_op.f('ix_documents_folder_id'))
    op.drop_table('documents')
    op.drop_table('document_folders')
    with op.batch_alter_table('party_group_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_party_group_members_party_id'))
    op.drop_table('party_group_members')
    op.drop_table('party_groups')
