"""A send limit shared by several processes through Redis: together they never exceed it."""
from __future__ import annotations

import redis.asyncio as aioredis

from services.shared.rate import RedisRateLimiter
from tests.shared.conftest import redis_url


async def test_two_processes_share_one_bucket(redis_client, redis_prefix):
    other = aioredis.from_url(redis_url())
    try:
        key = redis_prefix + "rate:telegram"
        a, b = RedisRateLimiter(redis_client, key, per_second=25), RedisRateLimiter(other, key, per_second=25)
        now = 1_000_000
        # 50 sends reserved at the same instant, alternating between processes: slots 40 ms apart.
        waits = [await (a if n % 2 else b).reserve(now_ms=now) for n in range(50)]
        assert waits == [round(n * 0.04, 3) for n in range(50)]
        # One second later the bucket has not refilled past the reservations already made.
        assert await a.reserve(now_ms=now + 1000) == 1.0
    finally:
        await other.aclose()


async def test_burst_lets_the_first_few_go_at_once(redis_client, redis_prefix):
    limiter = RedisRateLimiter(redis_client, redis_prefix + "rate:vk", per_second=20, burst=3)
    now = 5_000_000
    waits = [await limiter.reserve(now_ms=now) for _ in range(5)]
    assert waits == [0.0, 0.0, 0.0, 0.05, 0.1]
    # After an idle second the bucket is full again, not "owed" past sends.
    assert await limiter.reserve(now_ms=now + 2000) == 0.0


async def test_no_limit_means_no_wait(redis_client, redis_prefix):
    assert await RedisRateLimiter(redis_client, redis_prefix + "x", per_second=0).reserve() == 0.0


async def test_api_admission_refuses_without_taking_a_slot(redis_client, redis_prefix):
    """The REST API's per-token limit: admit or refuse (429), never queue; a refusal costs the token nothing."""
    from services.shared.rate import RedisAdmission

    gate = RedisAdmission(redis_client, redis_prefix + "api:", per_minute=60, burst=2)
    now = 9_000_000
    assert [await gate.admit("7", now_ms=now) for _ in range(2)] == [0.0, 0.0]
    assert await gate.admit("7", now_ms=now) == 1.0
    assert await gate.admit("7", now_ms=now + 500) == 0.5  # the refusal above did not push it further
    assert await gate.admit("8", now_ms=now) == 0.0  # another token, another bucket
    assert await gate.admit("7", now_ms=now + 1000) == 0.0
