"""One person's updates, handled by several processes sharing Redis: one at a time, in arrival order."""
from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from services.shared.locks import RedisKeyedLock
from tests.shared.conftest import redis_url


async def test_updates_of_one_person_run_one_at_a_time_in_arrival_order(redis_client, redis_prefix):
    # Two "processes": two clients, two lock objects, one Redis.
    other = aioredis.from_url(redis_url())
    try:
        locks = [RedisKeyedLock(redis_client, redis_prefix), RedisKeyedLock(other, redis_prefix)]
        running, order, overlaps, finished = set(), [], [], []

        async def handle(n: int) -> None:
            async with locks[n % 2].hold(("telegram", 42)):
                if running:
                    overlaps.append(n)
                running.add(n)
                await asyncio.sleep(0)  # yield to the others mid-update
                order.append(n)
                running.discard(n)
            finished.append(n)

        tasks = []
        queue = redis_prefix + "telegram:42:q"
        for n in range(20):
            tasks.append(asyncio.create_task(handle(n)))
            # Arrival = taking a place in the queue; the next update arrives after this one did.
            while await redis_client.llen(queue) + len(finished) < n + 1:
                await asyncio.sleep(0.001)
        await asyncio.gather(*tasks)
        assert overlaps == []
        assert order == list(range(20))
        assert await redis_client.keys(redis_prefix + "*") == []  # nothing left behind
    finally:
        await other.aclose()


async def test_other_people_are_not_blocked(redis_client, redis_prefix):
    lock = RedisKeyedLock(redis_client, redis_prefix)
    async with lock.hold(("vk", 1)):
        await asyncio.wait_for(_enter(lock, ("vk", 2)), timeout=5)


async def _enter(lock: RedisKeyedLock, key: tuple) -> None:
    async with lock.hold(key):
        pass


async def test_a_dead_holder_is_skipped_after_its_heartbeat_expires(redis_client, redis_prefix):
    lock = RedisKeyedLock(redis_client, redis_prefix, ttl_ms=60_000)
    queue = redis_prefix + "telegram:7:q"
    # A process died holding the lock: its token is at the head, its heartbeat key will expire.
    await redis_client.set(redis_prefix + "telegram:7:alive:dead", "1", px=60_000)
    await redis_client.rpush(queue, "dead")
    entered = asyncio.create_task(_enter(lock, ("telegram", 7)))
    await asyncio.sleep(0.05)
    assert not entered.done()  # still alive: waits
    await redis_client.delete(redis_prefix + "telegram:7:alive:dead")  # the heartbeat ran out
    await asyncio.wait_for(entered, timeout=5)
    assert await redis_client.exists(queue) == 0
