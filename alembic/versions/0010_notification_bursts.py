"""notification_bursts: one live summary message per chat for a burst of conversion notices

Revision ID: 0010
Revises: 0004
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.db.base import BigId, UTCDateTime

revision: str = '0010'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'notification_bursts',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('messenger', sa.String(16), nullable=False),
        sa.Column('chat_id', sa.String(64), nullable=False),
        sa.Column('locale', sa.String(8), nullable=False),
        sa.Column('partner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
        sa.Column('started_at', UTCDateTime(), nullable=False),
        sa.Column('last_item_at', UTCDateTime(), nullable=False),
        sa.Column('message_ref', sa.String(64), nullable=True),
        sa.Column('rendered_at', UTCDateTime(), nullable=True),
        sa.Column('dirty', sa.Boolean(), nullable=False),
        sa.Column('summary', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'],
                                name=op.f('fk_notification_bursts_partner_id_partners'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_bursts')),
    )
    op.create_index(op.f('ix_notification_bursts_chat'), 'notification_bursts', ['messenger', 'chat_id', 'last_item_at'])


def downgrade() -> None:
    op.drop_index(op.f('ix_notification_bursts_chat'), table_name='notification_bursts')
    op.drop_table('notification_bursts')
