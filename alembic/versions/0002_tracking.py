"""tracking

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op



revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('offers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('target_url', sa.String(length=2048), nullable=False),
    sa.Column('payout_model', sa.String(length=16), nullable=False),
    sa.Column('cpa_amount', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('revshare_percent', sa.Numeric(precision=7, scale=4), nullable=True),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('hold_days', sa.Integer(), nullable=False),
    sa.Column('attribution_days', sa.Integer(), nullable=False),
    sa.Column('l2_percent', sa.Numeric(precision=7, scale=4), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_offers'))
    )
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_offers_status'), ['status'], unique=False)

    op.create_table('notification_mutes',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('partner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_notification_mutes_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_mutes')),
    sa.UniqueConstraint('partner_id', 'kind', name=op.f('uq_notification_mutes_partner_id_kind'))
    )
    op.create_table('tracking_links',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('partner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('offer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=True),
    sa.Column('is_default', sa.Boolean(), nullable=False),
    sa.Column('sub1', sa.String(length=64), nullable=True),
    sa.Column('sub2', sa.String(length=64), nullable=True),
    sa.Column('sub3', sa.String(length=64), nullable=True),
    sa.Column('sub4', sa.String(length=64), nullable=True),
    sa.Column('sub5', sa.String(length=64), nullable=True),
    sa.Column('archived_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_tracking_links_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_tracking_links_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tracking_links')),
    sa.UniqueConstraint('code', name=op.f('uq_tracking_links_code'))
    )
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.create_index('ix_tracking_links_partner_offer', ['partner_id', 'offer_id'], unique=False)

    op.create_table('clicks',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('click_id', sa.String(length=32), nullable=False),
    sa.Column('link_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('partner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('offer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('ip_hash', sa.String(length=64), nullable=False),
    sa.Column('ua_hash', sa.String(length=64), nullable=False),
    sa.Column('user_agent', sa.String(length=512), nullable=True),
    sa.Column('referer', sa.String(length=512), nullable=True),
    sa.Column('is_unique', sa.Boolean(), nullable=False),
    sa.Column('sub1', sa.String(length=64), nullable=True),
    sa.Column('sub2', sa.String(length=64), nullable=True),
    sa.Column('sub3', sa.String(length=64), nullable=True),
    sa.Column('sub4', sa.String(length=64), nullable=True),
    sa.Column('sub5', sa.String(length=64), nullable=True),
    sa.Column('flags', sa.String(length=128), nullable=True),
    sa.ForeignKeyConstraint(['link_id'], ['tracking_links.id'], name=op.f('fk_clicks_link_id_tracking_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_clicks_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_clicks_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clicks')),
    sa.UniqueConstraint('click_id', name=op.f('uq_clicks_click_id'))
    )
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.create_index('ix_clicks_ip_created', ['ip_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_clicks_link_fingerprint', ['link_id', 'ip_hash', 'ua_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_clicks_partner_created', ['partner_id', 'created_at'], unique=False)

    op.create_table('conversions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('idempotency_key', sa.String(length=255), nullable=False),
    sa.Column('click_pk', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('partner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('offer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('link_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('goal', sa.String(length=64), nullable=False),
    sa.Column('txid', sa.String(length=128), nullable=True),
    sa.Column('promo_code', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('sale_amount', sa.Numeric(precision=18, scale=4), nullable=True),
    sa.Column('commission', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('payable', sa.Boolean(), nullable=False),
    sa.Column('not_payable_reason', sa.String(length=64), nullable=True),
    sa.Column('flags', sa.String(length=128), nullable=True),
    sa.Column('review', sa.String(length=16), nullable=True),
    sa.Column('reviewed_by', sa.String(length=96), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(), nullable=True),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('sub1', sa.String(length=64), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['click_pk'], ['clicks.id'], name=op.f('fk_conversions_click_pk_clicks'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['link_id'], ['tracking_links.id'], name=op.f('fk_conversions_link_id_tracking_links'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], name=op.f('fk_conversions_offer_id_offers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_conversions_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversions')),
    sa.UniqueConstraint('idempotency_key', name=op.f('uq_conversions_idempotency_key'))
    )
    with op.batch_alter_table('conversions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversions_click_pk'), ['click_pk'], unique=False)
        batch_op.create_index('ix_conversions_partner_created', ['partner_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversions_status'), ['status'], unique=False)

    op.create_table('ledger_entries',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('entry_key', sa.String(length=255), nullable=False),
    sa.Column('partner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('conversion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('bucket', sa.String(length=16), nullable=False),
    sa.Column('amount', sa.Numeric(precision=18, scale=4), nullable=False),
    sa.Column('currency', sa.String(length=3), nullable=False),
    sa.Column('release_at', sa.DateTime(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversion_id'], ['conversions.id'], name=op.f('fk_ledger_entries_conversion_id_conversions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_ledger_entries_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_entries')),
    sa.UniqueConstraint('entry_key', name=op.f('uq_ledger_entries_entry_key'))
    )
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_ledger_entries_conversion_id'), ['conversion_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_entries_release_at'), ['release_at'], unique=False)
        batch_op.create_index('ix_ledger_partner_bucket', ['partner_id', 'currency', 'bucket'], unique=False)

    op.create_table('postback_log',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('received_at', sa.DateTime(), nullable=False),
    sa.Column('method', sa.String(length=8), nullable=False),
    sa.Column('remote', sa.String(length=64), nullable=True),
    sa.Column('query', sa.Text(), nullable=False),
    sa.Column('body', sa.Text(), nullable=True),
    sa.Column('status_code', sa.Integer(), nullable=False),
    sa.Column('result', sa.JSON(), nullable=False),
    sa.Column('conversion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['conversion_id'], ['conversions.id'], name=op.f('fk_postback_log_conversion_id_conversions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_postback_log'))
    )
    with op.batch_alter_table('postback_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_postback_log_received_at'), ['received_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('postback_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_postback_log_received_at'))

    op.drop_table('postback_log')
    with op.batch_alter_table('ledger_entries', schema=None) as batch_op:
        batch_op.drop_index('ix_ledger_partner_bucket')
        batch_op.drop_index(batch_op.f('ix_ledger_entries_release_at'))
        batch_op.drop_index(batch_op.f('ix_ledger_entries_conversion_id'))

    op.drop_table('ledger_entries')
    with op.batch_alter_table('conversions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversions_status'))
        batch_op.drop_index('ix_conversions_partner_created')
        batch_op.drop_index(batch_op.f('ix_conversions_click_pk'))

    op.drop_table('conversions')
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.drop_index('ix_clicks_partner_created')
        batch_op.drop_index('ix_clicks_link_fingerprint')
        batch_op.drop_index('ix_clicks_ip_created')

    op.drop_table('clicks')
    with op.batch_alter_table('tracking_links', schema=None) as batch_op:
        batch_op.drop_index('ix_tracking_links_partner_offer')

    op.drop_table('tracking_links')
    op.drop_table('notification_mutes')
    with op.batch_alter_table('offers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_offers_status'))

    op.drop_table('offers')
