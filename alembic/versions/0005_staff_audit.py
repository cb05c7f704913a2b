"""staff roles know where they came from, an audit trail of grants and revocations, offers get a stable key

Revision ID: 0005
Revises: 0006 (written against 0004; chained after main's 0010 → 0006 so the branch has one head — re-chain freely)
Create Date: 2026-11-24

staff_roles.source: every existing row was written by the env seed (the bot could not grant roles before), so
they are all backfilled 'env' — from now on an id removed from ADMIN_IDS/MANAGER_IDS/… loses that role at the
next start, while roles an admin grants in the bot ('bot') are never touched by env.

offers.key: the default offer (OFFER_URL) used to be found by its URL, so editing that URL in the bot made the
next start create a second one. No offer is marked here: a migration cannot tell which offer the operator's
OFFER_URL meant (settings may live in .env, out of its reach) and a wrong guess would silently turn a manager's
offer into the default one. The first start after this migration adopts the offer the old code would have used
(the oldest one whose URL equals OFFER_URL) and keys it 'default'; from then on only the key counts.

Plain ALTER TABLE ADD COLUMN and CREATE INDEX on purpose: SQLite batch mode would copy and drop `offers`, and
with foreign keys on, dropping it cascades into tracking links and conversions.
"""
from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0005'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('staff_roles', sa.Column('source', sa.String(length=8), nullable=False, server_default='env'))
    op.create_table('staff_audit',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), autoincrement=True, nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('actor', sa.String(length=96), nullable=False),
    sa.Column('action', sa.String(length=8), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('messenger', sa.String(length=16), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_audit'))
    )
    op.create_index(op.f('ix_staff_audit_created_at'), 'staff_audit', ['created_at'], unique=False)
    op.add_column('offers', sa.Column('key', sa.String(length=32), nullable=True))
    op.create_index(op.f('ix_offers_key'), 'offers', ['key'], unique=True)


def downgrade() -> None:
    op.drop_index(op.f('ix_offers_key'), table_name='offers')
    op.drop_column('offers', 'key')
    op.drop_index(op.f('ix_staff_audit_created_at'), table_name='staff_audit')
    op.drop_table('staff_audit')
    op.drop_column('staff_roles', 'source')
