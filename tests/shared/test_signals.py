"""Signals reach the other processes through Redis, and each process acts once on its own signal."""
from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from services.shared.signals import RedisSignals
from tests.shared.conftest import redis_url


async def _until(predicate, timeout: float = 5.0) -> None:
    async def poll() -> None:
        while not predicate():
            await asyncio.sleep(0.005)
    await asyncio.wait_for(poll(), timeout)


async def test_a_link_change_in_one_process_drops_it_from_every_cache(redis_client, redis_prefix):
    other = aioredis.from_url(redis_url())
    channel = redis_prefix + "signals"
    bot_side, web_side = RedisSignals(redis_client, channel), RedisSignals(other, channel)
    seen_bot, seen_web, woken = [], [], []
    bot_side.on_link_changed(seen_bot.append)
    web_side.on_link_changed(seen_web.append)
    web_side.on_outbox_written(lambda: woken.append(1))
    await bot_side.start()
    await web_side.start()
    try:
        bot_side.link_changed("AbC123")
        bot_side.link_changed(None)
        bot_side.outbox_written()
        await _until(lambda: len(seen_web) == 2 and woken)
        assert seen_web == ["AbC123", None]
        assert seen_bot == ["AbC123", None]  # locally at once, and not a second time from Redis
        await asyncio.sleep(0.05)
        assert seen_bot == ["AbC123", None] and woken == [1]
    finally:
        await bot_side.stop()
        await web_side.stop()
        await other.aclose()


async def test_garbage_on_the_channel_is_ignored(redis_client, redis_prefix):
    channel = redis_prefix + "signals"
    signals = RedisSignals(redis_client, channel)
    seen = []
    signals.on_link_changed(seen.append)
    await signals.start()
    try:
        await redis_client.publish(channel, "not json")
        await redis_client.publish(channel, '{"s": "link", "code": 5, "o": "x"}')
        await _until(lambda: seen == [None])
    finally:
        await signals.stop()
