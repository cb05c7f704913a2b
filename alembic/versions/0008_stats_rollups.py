"""stats: hourly click rollups, their watermark, link alert state

Revision ID: 0008
Revises: 0004
Create Date: 2026-12-02

Stats read closed hours from stats_click_hours and only the clicks after stats_rollup_state.rolled_until from
clicks itself, so a period's query does not grow with history. Nothing here touches the click write path: the
rollup is a scheduler job (services.stats.rollups). Conversions are read directly, from a covering index that
starts like ix_conversions_partner_created (which it makes redundant; left for whoever owns it to drop).
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('stats_click_hours',
    sa.Column('partner_id', BigId, autoincrement=False, nullable=False),
    sa.Column('dim', sa.String(length=8), nullable=False),
    sa.Column('hour', sa.DateTime(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('unique_clicks', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'],
                            name=op.f('fk_stats_click_hours_partner_id_partners'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('partner_id', 'dim', 'hour', 'key', name=op.f('pk_stats_click_hours')),
    sqlite_with_rowid=False,
    )

    op.create_table('stats_rollup_state',
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('rolled_until', sa.DateTime(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_stats_rollup_state'))
    )
    op.create_table('stats_link_alerts',
    sa.Column('link_id', BigId, autoincrement=False, nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('since', sa.DateTime(), nullable=False),
    sa.Column('checked_until', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['link_id'], ['tracking_links.id'],
                            name=op.f('fk_stats_link_alerts_link_id_tracking_links'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('link_id', 'kind', name=op.f('pk_stats_link_alerts'))
    )
    with op.batch_alter_table('conversions', schema=None) as batch_op:
        batch_op.create_index('ix_conversions_stats', ['partner_id', 'created_at', 'status', 'currency', 'commission',
                                                       'link_id', 'offer_id', 'sub1'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversions', schema=None) as batch_op:
        batch_op.drop_index('ix_conversions_stats')
    op.drop_table('stats_link_alerts')
    op.drop_table('stats_rollup_state')
    op.drop_table('stats_click_hours')
