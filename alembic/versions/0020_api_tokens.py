"""REST API: bearer tokens for BI tools (stored hashed) with their audit trail, and conversions' status history

Revision ID: 0020
Revises: 0018
Create Date: 2026-12-03

conversion_events starts empty: transitions are recorded from this migration on (older conversions show their
current status only). Chained after 0018 (retention, merged from main); the lead
re-chains down_revision at merge if others land between.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0020'
down_revision: str | None = '0018'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('api_tokens',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('prefix', sa.String(length=16), nullable=False),
    sa.Column('secret_hash', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=255), nullable=False),
    sa.Column('created_by', sa.String(length=96), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_at', sa.DateTime(), nullable=True),
    sa.Column('revoked_by', sa.String(length=96), nullable=True),
    sa.Column('last_used_at', sa.DateTime(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_tokens')),
    sa.UniqueConstraint('prefix', name=op.f('uq_api_tokens_prefix'))
    )
    op.create_table('api_token_audit',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=96), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('token_id', BigId, nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('scopes', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['token_id'], ['api_tokens.id'], name=op.f('fk_api_token_audit_token_id_api_tokens'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_api_token_audit'))
    )
    with op.batch_alter_table('api_token_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_api_token_audit_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_api_token_audit_token_id'), ['token_id'], unique=False)
    op.create_table('conversion_events',
    sa.Column('id', BigId, autoincrement=True, nullable=False),
    sa.Column('conversion_id', BigId, nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['conversion_id'], ['conversions.id'],
                            name=op.f('fk_conversion_events_conversion_id_conversions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversion_events')),
    sa.UniqueConstraint('conversion_id', 'to_status', name=op.f('uq_conversion_events_conversion_id_to_status'))
    )
    with op.batch_alter_table('conversion_events', schema=None) as batch_op:
        batch_op.create_index('ix_conversion_events_created_id', ['created_at', 'id'], unique=False)
    with op.batch_alter_table('conversions', schema=None) as batch_op:
        batch_op.create_index('ix_conversions_created_id', ['created_at', 'id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('conversions', schema=None) as batch_op:
        batch_op.drop_index('ix_conversions_created_id')
    with op.batch_alter_table('conversion_events', schema=None) as batch_op:
        batch_op.drop_index('ix_conversion_events_created_id')
    op.drop_table('conversion_events')
    with op.batch_alter_table('api_token_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_api_token_audit_token_id'))
        batch_op.drop_index(batch_op.f('ix_api_token_audit_created_at'))
    op.drop_table('api_token_audit')
    op.drop_table('api_tokens')
