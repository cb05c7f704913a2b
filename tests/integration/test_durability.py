"""SQLite durability and locking: commits are fsynced before we answer (synchronous=FULL), and units of work
that only read (/healthz, screens) never take the write lock, so a long writer cannot stall them."""
from __future__ import annotations

import asyncio
import shutil
import sqlite3
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import text

from bot.config import Settings
from bot.container import Container
from bot.web import build_web_app
from services.app import Services
from services.db.engine import make_engine, make_session_factory
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps
from tests.fakes.clock import FakeClock

LOCKED_TIMEOUT = 5.0  # generous: a deferred read answers in milliseconds; BEGIN IMMEDIATE would wait 30 s


@pytest.fixture
def db_path(tmp_path: Path, sqlite_template: Path) -> Path:
    path = tmp_path / "bot.db"
    shutil.copy(sqlite_template, path)
    return path


@pytest.fixture
async def deps(db_path: Path) -> AsyncIterator[Deps]:
    engine = make_engine(f"sqlite+aiosqlite:///{db_path}")
    yield Deps(uow=UnitOfWorkFactory(make_session_factory(engine)), clock=FakeClock())
    await engine.dispose()


@pytest.fixture
def write_lock(db_path: Path) -> Iterator[sqlite3.Connection]:
    """Another connection (the click writer process, a long migration…) holding SQLite's write lock."""
    other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO app_secrets (name, value, created_at) VALUES ('held', 'x', '2026-01-01 00:00:00')")
    try:
        yield other
    finally:
        other.execute("ROLLBACK")  # also frees a reader stuck on the lock, so a failing test still ends
        other.close()


async def test_main_database_commits_are_fsynced(deps: Deps):
    async with deps.uow() as uow:
        assert await uow.session.scalar(text("PRAGMA synchronous")) == 2  # FULL
        assert await uow.session.scalar(text("PRAGMA journal_mode")) == "wal"


async def test_read_only_unit_of_work_runs_while_another_connection_holds_the_write_lock(deps: Deps, write_lock):
    async def read() -> int:
        async with deps.uow(readonly=True) as uow:
            return await uow.session.scalar(text("SELECT count(*) FROM partners"))

    assert await asyncio.wait_for(read(), LOCKED_TIMEOUT) == 0


async def test_read_only_screens_do_not_wait_for_a_writer(deps: Deps, write_lock):
    services = Services(deps)
    assert await asyncio.wait_for(services.locale_for("telegram", "111", "en"), LOCKED_TIMEOUT) == "en"


async def test_healthz_answers_while_a_writer_holds_the_lock(deps: Deps, db_path: Path, write_lock):
    engine = deps.uow.session_factory.kw["bind"]  # type: ignore[attr-defined]
    settings = Settings(_env_file=None, database_url=f"sqlite+aiosqlite:///{db_path}")
    container = Container(settings=settings, engine=engine, deps=deps, services=Services(deps))
    async with TestClient(TestServer(build_web_app(container))) as client:
        response = await asyncio.wait_for(client.get("/healthz"), LOCKED_TIMEOUT)
        assert response.status == 200
        assert (await response.json())["database"] == "up"


async def test_read_only_unit_of_work_cannot_commit(deps: Deps):
    async with deps.uow(readonly=True) as uow:
        with pytest.raises(RuntimeError, match="read-only"):
            await uow.commit()


async def test_read_only_unit_of_work_writes_nothing_on_either_backend(db_url: str):
    """PostgreSQL runs it as a READ ONLY transaction (a stray write fails); SQLite just never commits it."""
    engine = make_engine(db_url)
    uow = UnitOfWorkFactory(make_session_factory(engine))
    try:
        async with uow(readonly=True) as ro:
            try:
                await ro.session.execute(text(
                    "INSERT INTO app_secrets (name, value, created_at) VALUES ('stray', 'x', '2026-01-01 00:00:00')"))
            except Exception as exc:
                assert "read-only" in str(exc) and engine.dialect.name == "postgresql"
        async with uow() as rw:  # the pooled connection is writable again afterwards
            await rw.session.execute(text(
                "INSERT INTO app_secrets (name, value, created_at) VALUES ('ok', 'x', '2026-01-01 00:00:00')"))
            await rw.commit()
        async with uow(readonly=True) as ro:
            names = (await ro.session.scalars(text("SELECT name FROM app_secrets ORDER BY name"))).all()
        assert names == ["ok"]
    finally:
        await engine.dispose()
