"""quiet hours: a partner's daily window (minutes of the day, their time zone) that holds back news, digests,
nudges and broadcasts until it ends

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.add_column(sa.Column('quiet_start', sa.SmallInteger(), nullable=True))
        batch.add_column(sa.Column('quiet_end', sa.SmallInteger(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('partners') as batch:
        batch.drop_column('quiet_end')
        batch.drop_column('quiet_start')
