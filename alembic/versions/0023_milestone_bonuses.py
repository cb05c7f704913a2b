"""milestone bonuses: rules (N approved conversions or X revenue in a calendar month → bonus) and awards per
rule, partner and month

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.db.base import BigId, Money, UTCDateTime

revision: str = '0023'
down_revision: str | None = '0022'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'bonus_rules',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('offer_id', FK, nullable=True),
        sa.Column('metric', sa.String(16), nullable=False),
        sa.Column('threshold', Money, nullable=False),
        sa.Column('amount', Money, nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(96), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('archived_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['offer_id'], ['offers.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_table(
        'bonus_awards',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('rule_id', FK, nullable=False),
        sa.Column('partner_id', FK, nullable=False),
        sa.Column('period', sa.String(7), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('round', sa.Integer(), nullable=False),
        sa.Column('figure', Money, nullable=False),
        sa.Column('amount', Money, nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('release_at', UTCDateTime(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('released_at', UTCDateTime(), nullable=True),
        sa.Column('clawed_at', UTCDateTime(), nullable=True),
        sa.Column('claw_reason', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['rule_id'], ['bonus_rules.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('rule_id', 'partner_id', 'period'),
    )
    op.create_index('ix_bonus_awards_partner_id', 'bonus_awards', ['partner_id'])
    op.create_index('ix_bonus_awards_status_release', 'bonus_awards', ['status', 'release_at'])


def downgrade() -> None:
    op.drop_index('ix_bonus_awards_status_release', 'bonus_awards')
    op.drop_index('ix_bonus_awards_partner_id', 'bonus_awards')
    op.drop_table('bonus_awards')
    op.drop_table('bonus_rules')
