"""Exactly one scheduler leads among several processes, and a follower takes over when the leader dies."""
from __future__ import annotations

import asyncio

from services.db.engine import make_engine
from services.shared.leader import LocalLeadership, PgAdvisoryLeadership, RedisLeadership, lead


async def test_postgres_advisory_lock_has_one_leader_and_hands_over(pg_url):
    engines = [make_engine(pg_url) for _ in range(3)]
    try:
        first, second, third = (PgAdvisoryLeadership(e, key=424242) for e in engines)
        assert await first.try_acquire() is True
        assert await second.try_acquire() is False
        assert await third.try_acquire() is False
        assert await first.still_leader() is True
        # The leader's process dies: its connection goes, the server frees the lock at once.
        await first._conn.invalidate()  # noqa: SLF001 — simulates a killed process's socket
        first._conn = None  # noqa: SLF001
        assert await second.try_acquire() is True
        assert await third.try_acquire() is False
        assert await first.still_leader() is False
        await second.release()
        assert await third.try_acquire() is True
        await third.release()
    finally:
        for engine in engines:
            await engine.dispose()


async def test_redis_lease_has_one_leader_and_expires(redis_client, redis_prefix):
    name = redis_prefix + "leader"
    first = RedisLeadership(redis_client, name, ttl_ms=60_000)
    second = RedisLeadership(redis_client, name, ttl_ms=60_000)
    assert await first.try_acquire() is True
    assert await second.try_acquire() is False
    assert await first.still_leader() is True
    await redis_client.pexpire(name, 1)  # the leader stopped renewing: its TTL runs out
    while await redis_client.exists(name):
        await asyncio.sleep(0.001)
    assert await second.try_acquire() is True
    assert await first.still_leader() is False  # the old leader notices and steps down
    await first.release()  # releasing what it no longer holds must not free the new leader's key
    assert await second.still_leader() is True
    await second.release()
    assert not await redis_client.exists(name)


async def test_lead_runs_the_callbacks_once_per_change_and_steps_down_at_stop():
    events: list[str] = []
    stop = asyncio.Event()

    class Flaky(LocalLeadership):
        answers = iter([True, True, False, True])

        async def try_acquire(self) -> bool:
            return next(self.answers, True)

        async def still_leader(self) -> bool:
            value = next(self.answers, True)
            if value and events.count("up") == 2:
                stop.set()
            return value

    await lead(Flaky(), on_elected=lambda: events.append("up"), on_deposed=lambda: events.append("down"),
               interval=0, stop=stop)
    assert events == ["up", "down", "up", "down"]


async def test_lead_treats_errors_as_not_leading():
    stop = asyncio.Event()
    calls = {"n": 0}
    events: list[str] = []

    class Broken(LocalLeadership):
        async def try_acquire(self) -> bool:
            calls["n"] += 1
            if calls["n"] >= 3:
                stop.set()
            raise ConnectionError("database away")

    await lead(Broken(), on_elected=lambda: events.append("up"), on_deposed=lambda: events.append("down"),
               interval=0, stop=stop)
    assert events == [] and calls["n"] == 3
