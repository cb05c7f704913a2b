"""contests: contests with their periods, metric, offers and prizes; opt-in entries; standings frozen at settle
time; podium notice state; partners.public_name (a leaderboard shows the name only when the partner chose so)

Revision ID: 0021
Revises: 0017
Create Date: 2026-12-10
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0021'
down_revision: str | None = '0017'  # chained after 0017 (broadcasts) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    # A plain ADD COLUMN (no batch copy): copying `partners` on SQLite would cascade-delete its dependants.
    op.add_column('partners', sa.Column('public_name', sa.Boolean(), server_default=sa.false(), nullable=False))
    op.create_index('ix_conversions_contest', 'conversions', ['status', 'created_at', 'partner_id'])
    op.create_table(
        'contests',
        sa.Column('id', BigId, autoincrement=True, nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('title_ru', sa.String(length=128), nullable=False),
        sa.Column('title_en', sa.String(length=128), nullable=False),
        sa.Column('description_ru', sa.Text(), nullable=False),
        sa.Column('description_en', sa.Text(), nullable=False),
        sa.Column('starts_at', sa.DateTime(), nullable=False),
        sa.Column('ends_at', sa.DateTime(), nullable=False),
        sa.Column('metric', sa.String(length=16), nullable=False),
        sa.Column('currency', sa.String(length=3), nullable=True),
        sa.Column('offer_ids', sa.JSON(), nullable=False),
        sa.Column('prizes', sa.JSON(), nullable=False),
        sa.Column('opt_in', sa.Boolean(), nullable=False),
        sa.Column('created_by', sa.String(length=96), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('announced_at', sa.DateTime(), nullable=True),
        sa.Column('settled_at', sa.DateTime(), nullable=True),
        sa.Column('awarded_at', sa.DateTime(), nullable=True),
        sa.Column('awarded_by', sa.String(length=96), nullable=True),
        sa.Column('results_sent_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contests')),
    )
    op.create_index('ix_contests_status_starts', 'contests', ['status', 'starts_at'])
    op.create_table(
        'contest_entries',
        sa.Column('contest_id', BigId, nullable=False),
        sa.Column('partner_id', BigId, nullable=False),
        sa.Column('joined_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_entries_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_contest_entries_partner_id_partners'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('contest_id', 'partner_id', name=op.f('pk_contest_entries')),
    )
    op.create_index(op.f('ix_contest_entries_partner_id'), 'contest_entries', ['partner_id'])
    op.create_table(
        'contest_results',
        sa.Column('contest_id', BigId, nullable=False),
        sa.Column('place', sa.Integer(), nullable=False),
        sa.Column('partner_id', BigId, nullable=False),
        sa.Column('value', sa.Numeric(precision=18, scale=4), nullable=False),
        sa.Column('reached_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_results_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_contest_results_partner_id_partners'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('contest_id', 'place', name=op.f('pk_contest_results')),
    )
    op.create_table(
        'contest_podium',
        sa.Column('contest_id', BigId, nullable=False),
        sa.Column('partner_id', BigId, nullable=False),
        sa.Column('place', sa.Integer(), nullable=True),
        sa.Column('notified_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['contest_id'], ['contests.id'], name=op.f('fk_contest_podium_contest_id_contests'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_contest_podium_partner_id_partners'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('contest_id', 'partner_id', name=op.f('pk_contest_podium')),
    )


def downgrade() -> None:
    op.drop_table('contest_podium')
    op.drop_table('contest_results')
    op.drop_index(op.f('ix_contest_entries_partner_id'), table_name='contest_entries')
    op.drop_table('contest_entries')
    op.drop_index('ix_contests_status_starts', table_name='contests')
    op.drop_table('contests')
    op.drop_index('ix_conversions_contest', table_name='conversions')
    with op.batch_alter_table('partners') as batch:
        batch.drop_column('public_name')
