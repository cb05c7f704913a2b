"""clicks: one covering IP index instead of two

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The unique and flood checks of every click both start from the visitor's IP hash; one covering index
(ip_hash, created_at, link_id, ua_hash) serves both. Every index with a random leading key costs a random leaf
page per inserted click, so two of them were the bulk of the click write.
"""
from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.create_index('ix_clicks_ip_visitor', ['ip_hash', 'created_at', 'link_id', 'ua_hash'], unique=False)
        batch_op.drop_index('ix_clicks_link_fingerprint')
        batch_op.drop_index('ix_clicks_ip_created')


def downgrade() -> None:
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.create_index('ix_clicks_ip_created', ['ip_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_clicks_link_fingerprint', ['link_id', 'ip_hash', 'ua_hash', 'created_at'],
                              unique=False)
        batch_op.drop_index('ix_clicks_ip_visitor')
