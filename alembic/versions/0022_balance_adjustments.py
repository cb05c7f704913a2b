"""manual balance adjustments (credit / debit with a reason, two steps, admin approval over a limit) and the
per-currency limits admins set

Revision ID: 0022
Revises: 0013
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.db.base import BigId, Money, UTCDateTime

revision: str = '0022'
down_revision: str | None = '0013'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FK = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table(
        'balance_adjustments',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('partner_id', FK, nullable=False),
        sa.Column('amount', Money, nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('requested_by', sa.String(96), nullable=False),
        sa.Column('requested_by_name', sa.String(128), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('confirmed_at', UTCDateTime(), nullable=True),
        sa.Column('decided_by', sa.String(96), nullable=True),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('decision_note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_balance_adjustments_partner_id', 'balance_adjustments', ['partner_id'])
    op.create_index('ix_balance_adjustments_status_created', 'balance_adjustments', ['status', 'created_at'])
    op.create_table(
        'adjustment_limits',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('amount', Money, nullable=False),
        sa.Column('set_by', sa.String(96), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_adjustment_limits_currency_id', 'adjustment_limits', ['currency', 'id'])


def downgrade() -> None:
    op.drop_index('ix_adjustment_limits_currency_id', 'adjustment_limits')
    op.drop_table('adjustment_limits')
    op.drop_index('ix_balance_adjustments_status_created', 'balance_adjustments')
    op.drop_index('ix_balance_adjustments_partner_id', 'balance_adjustments')
    op.drop_table('balance_adjustments')
