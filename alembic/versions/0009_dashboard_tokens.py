"""dashboard sign-in tokens

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26

/dashboard hands out a signed link that opens a web session once: this table is what makes it single-use.
Chained after 0008 (stats rollups, merged from stats-core); the lead re-chains at merge if others land between.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('dashboard_tokens',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('partner_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_dashboard_tokens_partner_id_partners'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dashboard_tokens'))
    )
    with op.batch_alter_table('dashboard_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dashboard_tokens_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_dashboard_tokens_partner_id'), ['partner_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('dashboard_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dashboard_tokens_partner_id'))
        batch_op.drop_index(batch_op.f('ix_dashboard_tokens_expires_at'))
    op.drop_table('dashboard_tokens')
