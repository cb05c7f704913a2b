"""Shared fixtures: every database test runs on SQLite and, when reachable, on PostgreSQL — both built by the
real alembic migrations, never by metadata.create_all."""
from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from services.app import Services
from services.db.engine import make_engine, make_session_factory
from services.db.metadata import metadata
from services.db.migrate import upgrade
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps, ProgramConfig
from tests.fakes.clock import FakeClock

DEFAULT_PG_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/test"


def run_blocking(fn, *args):
    """Runs fn in a fresh thread (with its own event loop if it uses asyncio.run): session fixtures may be
    first requested from inside a running test loop."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


def pg_admin_url() -> str | None:
    """TEST_DATABASE_URL, or the machine's default; "off" disables the PostgreSQL leg."""
    url = os.environ.get("TEST_DATABASE_URL", DEFAULT_PG_URL)
    return None if url in ("", "off", "none") else url


async def _pg_reachable(url: str) -> str | None:
    engine = make_engine(url)
    try:
        async with engine.connect() as conn:
            await asyncio.wait_for(conn.execute(text("SELECT 1")), timeout=5)
        return None
    except Exception as exc:  # unreachable: skip that leg, say why
        return repr(exc)
    finally:
        await engine.dispose()


async def _pg_admin(url: str, sql: str) -> None:
    engine = make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        async with engine.connect() as conn:
            await conn.execute(text(sql))
    finally:
        await engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Migrated once per run; each test gets a copy (migrations are still what built it)."""
    path = tmp_path_factory.mktemp("db") / "template.db"
    run_blocking(upgrade, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_database() -> Iterator[str | None]:
    """A throwaway database per test run on the PostgreSQL server, migrated once; None if unreachable."""
    admin = pg_admin_url()
    if admin is None:
        yield None
        return
    problem = run_blocking(asyncio.run, _pg_reachable(admin))
    if problem:
        print(f"\nPostgreSQL leg skipped: {admin} unreachable ({problem})")
        yield None
        return
    name = f"pb_test_{uuid.uuid4().hex[:10]}"
    run_blocking(asyncio.run, _pg_admin(admin, f'CREATE DATABASE "{name}"'))
    url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    run_blocking(upgrade, url)
    yield url
    run_blocking(asyncio.run, _pg_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


BACKENDS = ["sqlite", "postgres"]


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        path = tmp_path / "test.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite+aiosqlite:///{path}"
        return
    url = request.getfixturevalue("pg_database")
    if url is None:
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
    yield url
    # Empty every table for the next test (the schema stays, it is what the migrations built).
    engine = make_engine(url)
    async with engine.begin() as conn:
        tables = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
        await conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    await engine.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(default_locale="ru", auto_approve=False, public_base_url="https://partners.example.com")


@pytest.fixture
async def deps(db_url: str, clock: FakeClock, program_config: ProgramConfig) -> AsyncIterator[Deps]:
    engine = make_engine(db_url)
    yield Deps(uow=UnitOfWorkFactory(make_session_factory(engine)), clock=clock, config=program_config)
    await engine.dispose()


# What env seeds in tests. Seeding is authoritative for env roles: a test adding one passes STAFF_SEED + [it].
STAFF_SEED = [("telegram", "900", "manager"), ("telegram", "901", "manager"), ("telegram", "902", "support"),
              ("vk", "800", "manager"), ("telegram", "903", "admin")]


@pytest.fixture
async def services(deps: Deps) -> Services:
    svc = Services(deps)
    await svc.seed_staff(STAFF_SEED)
    return svc
