"""clicks: one covering IP index instead of two, 128-bit hashes

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23

The unique and flood checks of every click both start from the visitor's IP hash; one covering index
(ip_hash, created_at, link_id, ua_hash) serves both. Every index with a random leading key costs a random leaf
page per inserted click, so two of them were the bulk of the click write; and the hashes in it are cut to 128
bits (32 hex digits, what services.tracking.clicks now writes), so that existing clicks keep matching new ones.
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
        batch_op.drop_index('ix_clicks_link_fingerprint')
        batch_op.drop_index('ix_clicks_ip_created')
    # Between the indexes: no index to update row by row, and the new one is built once over the short values.
    # substr() reads the same on SQLite and PostgreSQL; a prefix of the old hex is exactly the new, shorter hash
    # of the same input.
    op.execute("UPDATE clicks SET ip_hash = substr(ip_hash, 1, 32), ua_hash = substr(ua_hash, 1, 32) "
               "WHERE length(ip_hash) > 32 OR length(ua_hash) > 32")
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.create_index('ix_clicks_ip_visitor', ['ip_hash', 'created_at', 'link_id', 'ua_hash'], unique=False)


def downgrade() -> None:
    # The cut hashes stay cut: the long ones cannot be recomputed without the raw IPs, which are never stored.
    with op.batch_alter_table('clicks', schema=None) as batch_op:
        batch_op.create_index('ix_clicks_ip_created', ['ip_hash', 'created_at'], unique=False)
        batch_op.create_index('ix_clicks_link_fingerprint', ['link_id', 'ip_hash', 'ua_hash', 'created_at'],
                              unique=False)
        batch_op.drop_index('ix_clicks_ip_visitor')
