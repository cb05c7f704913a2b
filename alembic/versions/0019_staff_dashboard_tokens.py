"""staff sign-in tokens of the web dashboard (KPI page)

Revision ID: 0019
Revises: 0023
Create Date: 2026-12-05

/kpi → Web hands a manager a signed link that opens a staff session once: this table makes it single-use.
Chained after 0013; the lead re-chains at merge if others land between.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0019'
down_revision: str | None = '0023'  # chained after 0023 (bonuses) at merge
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('staff_dashboard_tokens',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('messenger', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_dashboard_tokens'))
    )
    with op.batch_alter_table('staff_dashboard_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_dashboard_tokens_expires_at'), ['expires_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('staff_dashboard_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_dashboard_tokens_expires_at'))
    op.drop_table('staff_dashboard_tokens')
