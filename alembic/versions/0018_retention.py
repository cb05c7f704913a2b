"""retention automation: generated files for outbox rows (digest charts), inactivity nudges, partner of the
month, and the partners' "show me in announcements" opt-out

Revision ID: 0018
Revises: 0019
Create Date: 2026-12-03
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from services.db.base import BigId, Money, UTCDateTime

revision: str = '0018'
down_revision: str | None = '0019'  # chained after 0019 (kpi) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

PARTNER_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # A plain ADD COLUMN (a constant default is allowed on SQLite): batch mode would copy the table, and
    # dropping the old partners table would cascade into every table that references it.
    op.add_column('partners', sa.Column('announce', sa.Boolean(), server_default=sa.true(), nullable=False))
    op.create_table(
        'outbox_files',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('name', sa.String(64), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_files')),
    )
    op.create_index(op.f('ix_outbox_files_created_at'), 'outbox_files', ['created_at'])
    op.create_table(
        'inactivity_nudges',
        sa.Column('partner_id', PARTNER_ID, nullable=False),
        sa.Column('sent_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'],
                                name=op.f('fk_inactivity_nudges_partner_id_partners'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('partner_id', name=op.f('pk_inactivity_nudges')),
    )
    op.create_table(
        'partner_of_month',
        sa.Column('month', sa.String(7), nullable=False),
        sa.Column('partner_id', PARTNER_ID, nullable=False),
        sa.Column('revenue', Money, nullable=False),
        sa.Column('currency', sa.String(3), nullable=False),
        sa.Column('status', sa.String(16), nullable=False),
        sa.Column('decided_by', sa.String(96), nullable=True),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'],
                                name=op.f('fk_partner_of_month_partner_id_partners'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('month', name=op.f('pk_partner_of_month')),
    )


def downgrade() -> None:
    op.drop_table('partner_of_month')
    op.drop_table('inactivity_nudges')
    op.drop_index(op.f('ix_outbox_files_created_at'), table_name='outbox_files')
    op.drop_table('outbox_files')
    with op.batch_alter_table('partners') as batch:
        batch.drop_column('announce')
