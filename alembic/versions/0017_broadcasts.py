"""broadcasts: a manager's message to a segment of partners, one row per recipient (resumable delivery);
messenger_accounts.unreachable_at for people who blocked the bot

Revision ID: 0017
Revises: 0020
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.db.base import BigId, UTCDateTime

revision: str = '0017'
down_revision: str | None = '0020'  # chained after 0020 (api) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None



def upgrade() -> None:
    op.create_table(
        'broadcasts',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('created_by', sa.String(length=96), nullable=False),
        sa.Column('messenger', sa.String(length=16), nullable=False),
        sa.Column('chat_id', sa.String(length=64), nullable=False),
        sa.Column('locale', sa.String(length=8), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('entities', sa.JSON(), nullable=False),
        sa.Column('photo', sa.JSON(), nullable=True),
        sa.Column('button_label', sa.String(length=64), nullable=True),
        sa.Column('button_url', sa.String(length=512), nullable=True),
        sa.Column('audience', sa.JSON(), nullable=False),
        sa.Column('scheduled_at', UTCDateTime(), nullable=True),
        sa.Column('started_at', UTCDateTime(), nullable=True),
        sa.Column('finished_at', UTCDateTime(), nullable=True),
        sa.Column('progress_ref', sa.String(length=64), nullable=True),
        sa.Column('progress_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcasts')),
    )
    op.create_index('ix_broadcasts_status_at', 'broadcasts', ['status', 'scheduled_at'])
    op.create_table(
        'broadcast_recipients',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('broadcast_id', BigId, nullable=False),
        sa.Column('partner_id', BigId, nullable=False),
        sa.Column('account_id', BigId, nullable=False),
        sa.Column('messenger', sa.String(length=16), nullable=False),
        sa.Column('chat_id', sa.String(length=64), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('not_before', UTCDateTime(), nullable=False),
        sa.Column('lease_until', UTCDateTime(), nullable=True),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('error', sa.String(length=256), nullable=True),
        sa.Column('message_ref', sa.String(length=64), nullable=True),
        sa.Column('sent_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['broadcast_id'], ['broadcasts.id'], ondelete='CASCADE',
                                name=op.f('fk_broadcast_recipients_broadcast_id_broadcasts')),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], ondelete='CASCADE',
                                name=op.f('fk_broadcast_recipients_partner_id_partners')),
        sa.ForeignKeyConstraint(['account_id'], ['messenger_accounts.id'], ondelete='CASCADE',
                                name=op.f('fk_broadcast_recipients_account_id_messenger_accounts')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_broadcast_recipients')),
        sa.UniqueConstraint('broadcast_id', 'account_id', name=op.f('uq_broadcast_recipients_broadcast_id_account_id')),
    )
    op.create_index('ix_broadcast_recipients_due', 'broadcast_recipients',
                    ['broadcast_id', 'messenger', 'status', 'not_before'])
    with op.batch_alter_table('messenger_accounts') as batch:
        batch.add_column(sa.Column('unreachable_at', UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('messenger_accounts') as batch:
        batch.drop_column('unreachable_at')
    op.drop_index('ix_broadcast_recipients_due', table_name='broadcast_recipients')
    op.drop_table('broadcast_recipients')
    op.drop_index('ix_broadcasts_status_at', table_name='broadcasts')
    op.drop_table('broadcasts')
