"""materials and promo codes: creatives per offer, QR renders, uploaded file ids, personal promo codes; landing
pages on tracking links

Revision ID: 0012
Revises: 0005
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.db.base import BigId, UTCDateTime

revision: str = '0012'
down_revision: str | None = '0011'  # chained after 0011 (payouts) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'materials',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('offer_id', FK, nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('title', sa.String(128), nullable=False),
        sa.Column('body', sa.Text(), nullable=True),
        sa.Column('image', sa.LargeBinary(), nullable=True),
        sa.Column('image_format', sa.String(8), nullable=True),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('size_bytes', sa.Integer(), nullable=True),
        sa.Column('created_by', sa.String(96), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_materials_offer_id_offers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_materials')),
    )
    op.create_index('ix_materials_offer_status', 'materials', ['offer_id', 'status'])
    op.create_table(
        'material_renders',
        sa.Column('material_id', FK, nullable=False),
        sa.Column('link_id', FK, nullable=False),
        sa.Column('image', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['material_id'], ['materials.id'],
                                name=op.f('fk_material_renders_material_id_materials'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['link_id'], ['tracking_links.id'],
                                name=op.f('fk_material_renders_link_id_tracking_links'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('material_id', 'link_id', name=op.f('pk_material_renders')),
    )
    op.create_table(
        'material_files',
        sa.Column('key', sa.String(64), nullable=False),
        sa.Column('messenger', sa.String(16), nullable=False),
        sa.Column('material_id', FK, nullable=False),
        sa.Column('ref', sa.String(255), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['material_id'], ['materials.id'],
                                name=op.f('fk_material_files_material_id_materials'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', 'messenger', name=op.f('pk_material_files')),
    )
    op.create_index(op.f('ix_material_files_material_id'), 'material_files', ['material_id'])
    op.create_table(
        'promo_codes',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('code', sa.String(32), nullable=False),
        sa.Column('partner_id', FK, nullable=False),
        sa.Column('offer_id', FK, nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('active_code', sa.String(32), nullable=True),
        sa.Column('active_slot', sa.String(48), nullable=True),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('created_by', sa.String(96), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('revoked_by', sa.String(96), nullable=True),
        sa.Column('revoked_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_promo_codes_partner_id_partners'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_promo_codes_offer_id_offers'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_promo_codes')),
        sa.UniqueConstraint('active_code', name=op.f('uq_promo_codes_active_code')),
        sa.UniqueConstraint('active_slot', name=op.f('uq_promo_codes_active_slot')),
    )
    op.create_index('ix_promo_codes_code', 'promo_codes', ['code'])
    op.create_index('ix_promo_codes_partner_offer', 'promo_codes', ['partner_id', 'offer_id'])
    with op.batch_alter_table('tracking_links') as batch_op:
        batch_op.add_column(sa.Column('landing_url', sa.String(2048), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('tracking_links') as batch_op:
        batch_op.drop_column('landing_url')
    op.drop_index('ix_promo_codes_partner_offer', table_name='promo_codes')
    op.drop_index('ix_promo_codes_code', table_name='promo_codes')
    op.drop_table('promo_codes')
    op.drop_index(op.f('ix_material_files_material_id'), table_name='material_files')
    op.drop_table('material_files')
    op.drop_table('material_renders')
    op.drop_index('ix_materials_offer_status', table_name='materials')
    op.drop_table('materials')
