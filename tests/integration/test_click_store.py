"""The click stores: what each batch writes (unique and flood flags, in-batch and across batches), and the SQLite
writer process's life (start, crash, timeout, close). Each database runs its own store: SQLite the writer process,
PostgreSQL SqlClickStore — the same expectations for both."""
from __future__ import annotations

import asyncio
import os
import re
import signal
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import delete

from services.db.tracking_models import TrackingLink
from services.kernel.deps import Deps
from services.tracking.click_rows import BatchRejected, ClickRow
from services.tracking.click_store import ClickStore, ClickStoreDown, SqlClickStore, SqliteClickStore
from services.tracking.clicks import new_click_id
from services.tracking.sqlite_click_writer import _WindowStamps, sqlite_stamp
from tests.integration.test_clicks import World, add_link, clicks

UA1, UA2 = "a" * 64, "b" * 64
IP1, IP2 = "1" * 64, "2" * 64


@pytest.fixture
async def world(deps: Deps) -> World:
    return await add_link(deps)


@pytest.fixture(params=["native", "core"])
async def store(request: pytest.FixtureRequest, deps: Deps, db_url: str) -> AsyncIterator[ClickStore]:
    """native: what the bot runs (SQLite: the writer process; PostgreSQL: SqlClickStore's asyncpg path).
    core: SqlClickStore through SQLAlchemy Core on SQLite (any database other than PostgreSQL) — the same rule
    (services.tracking.click_rule), so the same expectations."""
    native = SqliteClickStore.for_url(db_url)
    if request.param == "core" and native is None:
        pytest.skip("on PostgreSQL SqlClickStore is the native store")
    store = native if request.param == "native" and native else SqlClickStore(deps.uow)
    yield store
    await store.close()


def row(world: World, at: datetime, *, ip: str = IP1, ua: str = UA1, flags: str | None = None,
        flood_limit: int = 3) -> ClickRow:
    return ClickRow(new_click_id(), world.link_id, world.partner_id, world.offer_id, at, ip, ua, "Mozilla/5.0",
                    None, ("s1", None, None, None, "s5"), flags, flood_limit)


async def flags_of(deps: Deps) -> list[tuple[bool, str | None]]:
    return [(click.is_unique, click.flags) for click in await clicks(deps)]


async def test_repeat_visitors_and_floods_within_one_batch(store, deps, world):
    at = deps.clock.now()
    await store.write([
        row(world, at),  # first visit
        row(world, at),  # the same visitor again: not unique
        row(world, at, ua=UA2),  # same IP, other browser: unique; third click of IP1 (limit 3: still fine)
        row(world, at, ip=IP2),  # another visitor
        row(world, at, flags="bot_ua"),  # fourth click of IP1 in the hour: flood, after its own flag
        row(world, at + timedelta(microseconds=1), ip=IP1, ua=UA2, flood_limit=0),  # no flood check asked
    ])
    assert await flags_of(deps) == [(True, None), (False, None), (True, None), (True, None),
                                    (False, "bot_ua,flood"), (False, None)]


async def test_later_batches_see_earlier_ones_within_the_windows(store, deps, world):
    start = deps.clock.now()
    await store.write([row(world, start), row(world, start, ip=IP2)])
    await store.write([row(world, start + timedelta(hours=23, minutes=59))])  # repeat inside 24 h
    await store.write([row(world, start + timedelta(hours=24, microseconds=1), ip=IP2)])  # 24 h later: unique
    await store.write([row(world, start + timedelta(minutes=1), ip=IP2, ua=UA2)])  # IP2's 3rd in the hour
    await store.write([row(world, start + timedelta(minutes=2), ip=IP2, ua=UA2)])  # 4th: flood
    await store.write([row(world, start + timedelta(hours=1, minutes=1, microseconds=1), ip=IP2, ua=UA2)])
    assert await flags_of(deps) == [(True, None), (True, None), (False, None), (True, None), (True, None),
                                    (False, "flood"), (False, None)]


async def test_rows_read_back_exactly_as_written(store, deps, world):
    at = datetime(2026, 11, 23, 10, 0, 0, 123456, tzinfo=UTC)
    written = row(world, at)
    await store.write([written])
    [click] = await clicks(deps)
    assert (click.click_id, click.created_at, click.ip_hash, click.ua_hash, click.sub1, click.sub5) == \
        (written.click_id, at, IP1, UA1, "s1", "s5")


async def test_a_batch_with_a_vanished_link_is_rejected_whole(store, deps, world):
    other = await add_link(deps, code="Other001")
    async with deps.uow() as uow:
        await uow.session.execute(delete(TrackingLink).where(TrackingLink.id == other.link_id))
        await uow.commit()
    with pytest.raises(BatchRejected):
        await store.write([row(world, deps.clock.now()), row(other, deps.clock.now())])
    assert await clicks(deps) == []
    await store.write([row(world, deps.clock.now())])  # the store carries on
    assert len(await clicks(deps)) == 1


async def test_large_batches_span_several_statements(store, deps, world):
    # SQLite's writer puts at most 1,000 rows in a statement: these 2,100 make three, in one transaction.
    at = deps.clock.now()
    await store.write([row(world, at, ip=f"{i:064x}", flood_limit=0) for i in range(1050)] +
                      [row(world, at, ip=f"{i:064x}", flood_limit=0) for i in range(1050)])
    flags = await flags_of(deps)
    assert len(flags) == 2100
    assert all(unique for unique, _ in flags[:1050]) and not any(unique for unique, _ in flags[1050:])


# --- the SQLite writer process ------------------------------------------------------------------------------------

@pytest.fixture
def sqlite_store(store):
    if not isinstance(store, SqliteClickStore):
        pytest.skip("the writer process is SQLite's")
    return store


def writer_pid(store: SqliteClickStore) -> int:
    assert store.pid is not None
    return store.pid


async def batch_sent(store: SqliteClickStore) -> None:
    """Until a write has queued its batch (scheduling turns, no waiting for time)."""
    while store._writer is None or not store._writer.waiting:
        await asyncio.sleep(0)


async def test_a_dead_writer_process_is_replaced(sqlite_store, deps, world):
    await sqlite_store.write([row(world, deps.clock.now())])
    exited = sqlite_store._writer.exited
    os.kill(writer_pid(sqlite_store), signal.SIGKILL)
    await asyncio.wait_for(exited, 10)
    await sqlite_store.write([row(world, deps.clock.now(), ip=IP2)])
    assert sqlite_store.starts == 2
    assert len(await clicks(deps)) == 2


async def test_stop_signals_for_the_bot_do_not_kill_the_writer(sqlite_store, deps, world):
    await sqlite_store.write([row(world, deps.clock.now())])
    for sig in (signal.SIGTERM, signal.SIGINT):  # Ctrl-C and service managers signal the whole group
        os.kill(writer_pid(sqlite_store), sig)
    await sqlite_store.write([row(world, deps.clock.now(), ip=IP2)])  # answered by the same process
    await sqlite_store.write([])
    assert sqlite_store.starts == 1
    assert len(await clicks(deps)) == 2


async def test_batches_in_the_pipe_when_the_process_dies_fail_cleanly(sqlite_store, deps, world):
    await sqlite_store.write([row(world, deps.clock.now())])
    pid = writer_pid(sqlite_store)
    os.kill(pid, signal.SIGSTOP)  # holds the batch below unanswered
    pending = asyncio.create_task(sqlite_store.write([row(world, deps.clock.now(), ip=IP2)]))
    await batch_sent(sqlite_store)
    os.kill(pid, signal.SIGKILL)
    with pytest.raises(ClickStoreDown):
        await asyncio.wait_for(pending, 10)
    await sqlite_store.write([row(world, deps.clock.now(), ip=IP2)])
    assert sqlite_store.starts == 2


async def test_a_timed_out_batch_does_not_shift_the_answers(sqlite_store, deps, world):
    await sqlite_store.write([row(world, deps.clock.now())])
    pid = writer_pid(sqlite_store)
    os.kill(pid, signal.SIGSTOP)
    slow = asyncio.create_task(sqlite_store.write([row(world, deps.clock.now(), ip=IP2)]))
    await batch_sent(sqlite_store)
    slow.cancel()  # what the click writer's batch timeout does
    with pytest.raises(asyncio.CancelledError):
        await slow
    os.kill(pid, signal.SIGCONT)
    other = await add_link(deps, code="Other002")
    async with deps.uow() as uow:
        await uow.session.execute(delete(TrackingLink).where(TrackingLink.id == other.link_id))
        await uow.commit()
    # The next answer must be this batch's own (rejected), not the timed-out batch's "ok".
    with pytest.raises(BatchRejected):
        await sqlite_store.write([row(other, deps.clock.now())])
    assert sqlite_store.starts == 1
    assert len(await clicks(deps)) == 2  # the timed-out batch was committed all the same


async def test_close_lets_the_process_finish_and_refuses_more(sqlite_store, deps, world):
    await sqlite_store.write([row(world, deps.clock.now())])
    writer = sqlite_store._writer
    await sqlite_store.close()
    # Closing its input is all it needs to finish and exit. (Not asserted: exit code 0. After another test has
    # killed a writer, asyncio's child watcher sometimes reports 255, "Unknown child process", for a clean exit.)
    assert writer.exited.done()
    with pytest.raises(ProcessLookupError):
        os.kill(writer.transport.get_pid(), 0)
    with pytest.raises(ClickStoreDown):
        await sqlite_store.write([row(world, deps.clock.now())])


@pytest.mark.parametrize("where", ["missing/dir/x.db", "x.db"])
async def test_a_database_that_cannot_be_opened_is_reported(tmp_path, where):
    store = SqliteClickStore(str(tmp_path / where))
    await store.start()  # logged, not raised: the web server still comes up (and answers 503)
    with pytest.raises(ClickStoreDown, match="did not start"):
        await store.write([])
    await store.close()
    assert not (tmp_path / where).exists()  # the bot creates the database, never the writer


def test_a_relative_path_names_the_file_the_bot_opened(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the writer process runs elsewhere (the project root)
    assert SqliteClickStore.for_url("sqlite+aiosqlite:///./data/bot.db").path == str(tmp_path / "data" / "bot.db")


def test_only_file_backed_sqlite_gets_the_process():
    assert SqliteClickStore.for_url("sqlite+aiosqlite:////tmp/x.db").path == "/tmp/x.db"
    for url in ("sqlite+aiosqlite://", "sqlite+aiosqlite:///:memory:", "postgresql+asyncpg://h/db",
                "sqlite+aiosqlite:///file:x?mode=memory&uri=true"):
        assert SqliteClickStore.for_url(url) is None, url


# --- units --------------------------------------------------------------------------------------------------------

@given(st.datetimes(min_value=datetime(2001, 1, 2), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)))
def test_window_stamps_equal_stamping_the_shifted_times(at):
    stamps = _WindowStamps()
    for _ in range(2):  # computed, then from the per-hour cache
        assert stamps(at) == (sqlite_stamp(at), sqlite_stamp(at - timedelta(hours=24)),
                              sqlite_stamp(at - timedelta(hours=1)))


def test_click_ids_are_unguessable_hex_that_sorts_by_time():
    ids = [new_click_id() for _ in range(2000)]
    assert len(set(ids)) == 2000
    assert all(re.fullmatch(r"[0-9a-f]{32}", click_id) for click_id in ids)
    assert [i[:12] for i in ids] == sorted(i[:12] for i in ids)
    assert len({i[12:] for i in ids}) == 2000
