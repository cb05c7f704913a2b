"""The click rollup: figures equal the clicks table whatever is rolled, in any time zone; the job is idempotent,
waits for late commits, never moves back, and a `kill -9` in the middle of a run loses nothing."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from services.db.stats_models import ClickHour
from services.db.tracking_models import Click
from services.stats.periods import parse_period
from services.stats.queries import partner_stats
from services.stats.rollups import rolled_until, roll_up
from tests.fakes.stats_data import add_clicks, add_link, add_offer, add_partner, raw_clicks

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 3, 29, 12, 20, tzinfo=UTC)  # Europe's DST change was this morning
ZONES = ("UTC", "Europe/Berlin", "Asia/Kolkata", "Asia/Kathmandu", "America/St_Johns")
TEXTS = ("today", "yesterday", "7d", "2026-03-20 2026-03-28", "7d by sub1", "30d by link")


async def _random_clicks(deps, seed: int = 7) -> list[int]:
    rng = random.Random(seed)
    offer = await add_offer(deps)
    partners = [await add_partner(deps), await add_partner(deps)]
    links = [await add_link(deps, partners[i % 2], offer) for i in range(3)]
    for link in links:
        for sub in ("a", "b", None):
            times = [NOW - timedelta(seconds=rng.randrange(0, 12 * 86400)) for _ in range(rng.randrange(20, 60))]
            await add_clicks(deps, link, times, unique=[rng.random() < 0.7 for _ in times], subs={"sub1": sub})
    return partners


async def _assert_equals_database(deps, partner: int, zones: tuple[str, ...] = ZONES) -> None:
    async with deps.uow() as uow:  # every click row of the partner, as stored
        stored = (await uow.session.execute(select(Click.created_at, Click.is_unique)
                                            .where(Click.partner_id == partner))).all()

    def count(lo: datetime, hi: datetime) -> tuple[int, int]:
        inside = [unique for at, unique in stored if lo <= at < hi]
        return len(inside), sum(inside)

    for tz in zones:
        for text in TEXTS:
            period, group = parse_period(text, tz, deps.clock.now())
            async with deps.uow() as uow:
                report = await partner_stats(uow, partner, period, group)
            expected = count(period.start, period.end)
            assert (report.totals.clicks, report.totals.unique_clicks) == expected, (tz, text)
            assert sum(r.figures.clicks for r in report.rows) == expected[0], (tz, text)
            if group == "day":
                for row, (lo, hi) in zip(report.rows, zip(period.day_starts(), period.day_starts()[1:])):
                    assert (row.figures.clicks, row.figures.unique_clicks) == count(lo, hi), (tz, text, row.key)
    # and one count by the database itself
    period, _ = parse_period("7d", "Asia/Kolkata", deps.clock.now())
    async with deps.uow() as uow:
        report = await partner_stats(uow, partner, period)
    assert (report.totals.clicks, report.totals.unique_clicks) == \
        await raw_clicks(deps, partner, period.start, period.end)


async def test_figures_equal_the_database_with_rolled_and_unrolled_parts(deps):
    deps.clock.current = NOW
    partners = await _random_clicks(deps)
    await _assert_equals_database(deps, partners[0])  # nothing rolled: all raw
    deps.clock.current = NOW - timedelta(days=4, minutes=17)
    await roll_up(deps)  # rolled up to four days ago, raw after
    deps.clock.current = NOW
    await _assert_equals_database(deps, partners[1])
    await roll_up(deps)  # every closed hour: the raw tail is the current one
    async with deps.uow() as uow:
        assert await rolled_until(uow) == datetime(2026, 3, 29, 12, tzinfo=UTC)
    for partner in partners:
        await _assert_equals_database(deps, partner)


async def test_roll_up_is_idempotent_waits_for_late_commits_and_never_moves_back(deps):
    deps.clock.current = NOW
    partner = await add_partner(deps)
    link = await add_link(deps, partner, await add_offer(deps))
    await add_clicks(deps, link, [datetime(2026, 3, 29, 10, 59, tzinfo=UTC), datetime(2026, 3, 29, 11, 1, tzinfo=UTC)])
    deps.clock.current = datetime(2026, 3, 29, 12, 3, tzinfo=UTC)  # 11:00–12:00 closed 3 minutes ago
    assert await roll_up(deps) == 1  # only 10:00–11:00: a click of 11:xx may still be committing
    async with deps.uow() as uow:
        assert await rolled_until(uow) == datetime(2026, 3, 29, 11, tzinfo=UTC)
        before = (await uow.session.execute(select(ClickHour.hour, ClickHour.clicks)
                                            .where(ClickHour.dim == "all"))).all()
    assert await roll_up(deps) == 0
    deps.clock.current = datetime(2026, 3, 29, 12, 6, tzinfo=UTC)
    assert await roll_up(deps) == 1
    deps.clock.current = datetime(2026, 3, 28, tzinfo=UTC)  # the clock jumped back
    assert await roll_up(deps) == 0
    async with deps.uow() as uow:
        assert await rolled_until(uow) == datetime(2026, 3, 29, 12, tzinfo=UTC)
        after = (await uow.session.execute(select(ClickHour.hour, ClickHour.clicks).where(ClickHour.dim == "all")
                                           .order_by(ClickHour.hour))).all()
    assert before == [(datetime(2026, 3, 29, 10, tzinfo=UTC), 1)]
    assert after == [(datetime(2026, 3, 29, 10, tzinfo=UTC), 1), (datetime(2026, 3, 29, 11, tzinfo=UTC), 1)]


_CHILD = """
import asyncio, sys
from datetime import datetime, UTC
from services.db.engine import make_engine, make_session_factory
from services.db.uow import UnitOfWorkFactory
from services.stats import rollups

async def main():
    engine = make_engine(sys.argv[1])
    uow = UnitOfWorkFactory(make_session_factory(engine))()
    async with uow:
        await rollups.roll_hours(uow, datetime(2026, 3, 17, tzinfo=UTC), datetime(2026, 3, 29, tzinfo=UTC))
        state = await uow.session.get(rollups.RollupState, rollups.CLICKS)
        state.rolled_until = datetime(2026, 3, 29, tzinfo=UTC)
        await uow.session.flush()
        print("inside", flush=True)  # rows written, not committed: the parent kills us here
        sys.stdin.readline()
        await uow.commit()

asyncio.run(main())
"""


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
async def test_kill_9_in_the_middle_of_a_rollup_loses_nothing(deps, db_url):
    deps.clock.current = NOW
    partners = await _random_clicks(deps, seed=11)
    deps.clock.current = NOW - timedelta(days=8)
    await roll_up(deps)
    deps.clock.current = NOW
    child = subprocess.Popen([sys.executable, "-c", _CHILD, db_url], cwd=ROOT, stdin=subprocess.PIPE,
                             stdout=subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert child.stdout is not None and child.stdout.readline().strip() == b"inside"
        os.kill(child.pid, signal.SIGKILL)
    finally:
        child.wait(timeout=30)
    assert child.returncode == -signal.SIGKILL
    async with deps.uow() as uow:
        assert await rolled_until(uow) == datetime(2026, 3, 21, 12, tzinfo=UTC)  # as before the killed run
    for partner in partners:
        await _assert_equals_database(deps, partner, ("Asia/Kolkata",))
    await roll_up(deps)  # the next run does the work again, once
    for partner in partners:
        await _assert_equals_database(deps, partner, ("Asia/Kolkata",))
    async with deps.uow() as uow:
        rolled = {dim: clicks for dim, clicks in (await uow.session.execute(
            select(ClickHour.dim, func.sum(ClickHour.clicks)).group_by(ClickHour.dim))).all()}
    expected = sum([(await raw_clicks(deps, p, datetime(2000, 1, 1, tzinfo=UTC),
                                      datetime(2026, 3, 29, 12, tzinfo=UTC)))[0] for p in partners])
    assert rolled == dict.fromkeys(["all", "link", "offer", "sub1", "sub2", "sub3", "sub4", "sub5"], expected)
