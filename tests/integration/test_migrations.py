"""Migrations: upgrade → downgrade → upgrade works, and the models match what the migrations build."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from services.db.engine import make_engine
from services.db.metadata import metadata
from services.db.migrate import downgrade, upgrade
from tests.conftest import _pg_admin, _pg_reachable, pg_admin_url, run_blocking


@pytest.fixture(params=["sqlite", "postgres"])
def empty_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'mig.db'}"
        return
    admin = pg_admin_url()
    if admin is None or run_blocking(asyncio.run, _pg_reachable(admin)):
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
    name = f"pb_mig_{uuid.uuid4().hex[:10]}"
    run_blocking(asyncio.run, _pg_admin(admin, f'CREATE DATABASE "{name}"'))
    yield make_url(admin).set(database=name).render_as_string(hide_password=False)
    run_blocking(asyncio.run, _pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _diff_and_tables(url: str) -> tuple[list, set[str]]:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            def inspect_sync(sync_conn):
                context = MigrationContext.configure(sync_conn, opts={"compare_type": True})
                return compare_metadata(context, metadata), set(inspect(sync_conn).get_table_names())
            return await conn.run_sync(inspect_sync)
    finally:
        await engine.dispose()


def test_upgrade_downgrade_upgrade_and_models_match(empty_db: str):
    run_blocking(upgrade, empty_db)
    run_blocking(downgrade, empty_db)
    _, tables = run_blocking(asyncio.run, _diff_and_tables(empty_db))
    assert tables <= {"alembic_version"}, f"downgrade left tables behind: {tables}"
    run_blocking(upgrade, empty_db)
    diff, tables = run_blocking(asyncio.run, _diff_and_tables(empty_db))
    assert diff == [], f"models and migrations differ: {diff}"
    assert set(metadata.tables) <= tables


async def _sql(url: str, *statements: str) -> list:
    engine = make_engine(url)
    try:
        async with engine.begin() as conn:
            result = []
            for statement in statements:
                rows = await conn.exec_driver_sql(statement)
                result = rows.fetchall() if rows.returns_rows else []
            return result
    finally:
        await engine.dispose()


def test_0004_cuts_click_hashes_so_old_clicks_match_new_ones(empty_db: str):
    from services.tracking.clicks import hash_ip, hash_ua

    run_blocking(upgrade, empty_db, "0003")
    old_ip = hmac.new(b"secret", b"192.0.2.7", "sha256").hexdigest()  # what 0003-era code stored: 64 digits
    old_ua = hashlib.sha256(b"Mozilla/5.0").hexdigest()
    run_blocking(asyncio.run, _sql(
        empty_db,
        "INSERT INTO partners (status, locale, timezone, tier, ref_code, created_at) "
        "VALUES ('approved', 'en', 'UTC', 'certified', 'r1', '2026-11-01 00:00:00')",
        "INSERT INTO offers (name, target_url, payout_model, currency, hold_days, attribution_days, l2_percent, "
        "status, created_at) VALUES ('o', 'https://x.example', 'cpa', 'RUB', 30, 30, 5, 'active', "
        "'2026-11-01 00:00:00')",
        "INSERT INTO tracking_links (code, partner_id, offer_id, is_default, created_at) "
        "VALUES ('c1', 1, 1, true, '2026-11-01 00:00:00')",
        "INSERT INTO clicks (click_id, link_id, partner_id, offer_id, created_at, ip_hash, ua_hash, is_unique) "
        f"VALUES ('k1', 1, 1, 1, '2026-11-01 00:00:00', '{old_ip}', '{old_ua}', true)"))
    run_blocking(upgrade, empty_db)
    rows = run_blocking(asyncio.run, _sql(empty_db, "SELECT ip_hash, ua_hash FROM clicks"))
    assert rows == [(hash_ip("secret", "192.0.2.7"), hash_ua("Mozilla/5.0"))]


def test_0005_marks_existing_roles_as_env_seeded_and_leaves_offers_unkeyed(empty_db: str):
    """Before 0005 only the env seed wrote staff roles, so they all become 'env' (revocable by editing env);
    no offer is guessed to be the default one: the first start adopts it (services.offers.service)."""
    run_blocking(upgrade, empty_db, "0004")
    run_blocking(asyncio.run, _sql(
        empty_db,
        "INSERT INTO staff_roles (messenger, external_id, role, created_at) "
        "VALUES ('telegram', '1', 'admin', '2026-11-01 00:00:00')",
        "INSERT INTO offers (name, target_url, payout_model, currency, hold_days, attribution_days, l2_percent, "
        "status, created_at) VALUES ('o', 'https://x.example', 'cpa', 'RUB', 30, 30, 5, 'active', "
        "'2026-11-01 00:00:00')"))
    run_blocking(upgrade, empty_db, "0005")
    assert run_blocking(asyncio.run, _sql(empty_db, "SELECT role, source FROM staff_roles")) == [("admin", "env")]
    assert run_blocking(asyncio.run, _sql(empty_db, "SELECT name, key FROM offers")) == [("o", None)]
