"""clicks: an index by link for per-link counts; click_floods counts what a flooding source is not stored for

Revision ID: 0007
Revises: 0006 (0004 before the merge with main)
Create Date: 2026-12-02

0004 dropped the only index starting with link_id, so a link card's click count scanned the whole table (holding
the write lock on SQLite meanwhile). (link_id, created_at) serves counts per link, all time or since a date; its
inserts land at the right edge of each link's range, not on a random page like the IP index.

click_floods: past CLICK_FLOOD_CAP_FACTOR × CLICK_FLOOD_PER_HOUR clicks in an hour from one source (IP hash), the
writer counts further clicks here, one row per source and hour, instead of storing a full clicks row each.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0007'
down_revision: str | None = '0006'  # chained after main's 0006 at merge (was 0004)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.create_index('ix_clicks_link_created', ['link_id', 'created_at'], unique=False)
    op.create_table('click_floods',
    sa.Column('ip_hash', sa.String(length=64), nullable=False),
    sa.Column('hour', sa.DateTime(), nullable=False),
    sa.Column('clicks', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('ip_hash', 'hour', name=op.f('pk_click_floods'))
    )


def downgrade() -> None:
    op.drop_table('click_floods')
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.drop_index('ix_clicks_link_created')
