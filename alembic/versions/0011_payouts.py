"""payouts: payout details (encrypted), payout requests, payout_events audit trail

Revision ID: 0011
Revises: 0005
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.db.base import BigId, Money, UTCDateTime

revision: str = '0011'
down_revision: str | None = '0005'  # chained after main's 0005 at merge (was 0006)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PartnerFk = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'payout_details',
        sa.Column('partner_id', PartnerFk, nullable=False),
        sa.Column('method', sa.String(16), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('masked', sa.String(32), nullable=False),
        sa.Column('cipher', sa.Text(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_payout_details_partner_id_partners'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_payout_details')),
    )
    op.create_table(
        'payouts',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('partner_id', PartnerFk, nullable=False),
        sa.Column('amount', Money, nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('method', sa.String(16), nullable=False),
        sa.Column('kind', sa.String(16), nullable=False),
        sa.Column('masked', sa.String(32), nullable=False),
        sa.Column('cipher', sa.Text(), nullable=False),
        sa.Column('source', sa.String(16), nullable=False),
        sa.Column('period', sa.String(32), nullable=True),
        sa.Column('reference', sa.String(128), nullable=True),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.String(96), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_payouts_partner_id_partners'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payouts')),
        sa.UniqueConstraint('partner_id', 'currency', 'period', name=op.f('uq_payouts_partner_id_currency_period')),
    )
    op.create_index(op.f('ix_payouts_partner_id'), 'payouts', ['partner_id'])
    op.create_index('ix_payouts_status_created', 'payouts', ['status', 'created_at'])
    op.create_table(
        'payout_events',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('payout_id', PartnerFk, nullable=True),
        sa.Column('partner_id', PartnerFk, nullable=False),
        sa.Column('actor', sa.String(96), nullable=False),
        sa.Column('action', sa.String(16), nullable=False),
        sa.Column('from_status', sa.String(16), nullable=True),
        sa.Column('to_status', sa.String(16), nullable=True),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['payout_id'], ['payouts.id'], name=op.f('fk_payout_events_payout_id_payouts'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_payout_events_partner_id_partners'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_payout_events')),
    )
    op.create_index(op.f('ix_payout_events_payout_id'), 'payout_events', ['payout_id'])
    op.create_index(op.f('ix_payout_events_partner_id'), 'payout_events', ['partner_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_payout_events_partner_id'), table_name='payout_events')
    op.drop_index(op.f('ix_payout_events_payout_id'), table_name='payout_events')
    op.drop_table('payout_events')
    op.drop_index('ix_payouts_status_created', table_name='payouts')
    op.drop_index(op.f('ix_payouts_partner_id'), table_name='payouts')
    op.drop_table('payouts')
    op.drop_table('payout_details')
