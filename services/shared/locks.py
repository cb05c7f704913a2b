"""Per-person serialisation across processes: one person's updates are handled one at a time, in the order they
reached any of our workers (the in-process version is services.kernel.locks.KeyedLock).

A Redis list per key is the queue: a handler appends its token and proceeds when its token is at the head;
releasing pops it and publishes a wake-up. Every waiting or holding token keeps a heartbeat key alive, so the
token of a process that died (kill -9) is skipped after `ttl_ms` instead of blocking that person forever.
"""
from __future__ import annotations

import asyncio
import secrets
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager, suppress
from typing import Any

# Pops the head when its owner's heartbeat is gone; returns the head (after cleanup) or false.
_HEAD = """
local head = redis.call('lindex', KEYS[1], 0)
while head and redis.call('exists', ARGV[1] .. head) == 0 do
  redis.call('lpop', KEYS[1])
  head = redis.call('lindex', KEYS[1], 0)
end
return head
"""
_RELEASE = """
redis.call('lrem', KEYS[1], 1, ARGV[1])
redis.call('del', ARGV[2])
if redis.call('llen', KEYS[1]) == 0 then redis.call('del', KEYS[1]) end
redis.call('publish', KEYS[2], '1')
return 1
"""


class RedisKeyedLock:
    def __init__(self, redis: Any, prefix: str = "partnerbot:person:", ttl_ms: int = 30_000,
                 poll: float = 0.05) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl_ms = ttl_ms
        self.poll = poll  # fallback wake-up when a publish was missed

    def _keys(self, key: Hashable) -> tuple[str, str, str]:
        name = ":".join(str(part) for part in key) if isinstance(key, tuple) else str(key)
        base = self.prefix + name
        return base + ":q", base + ":alive:", base + ":wake"

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        queue, alive_prefix, channel = self._keys(key)
        token = secrets.token_hex(8)
        alive = alive_prefix + token
        async with self.redis.pipeline(transaction=True) as pipe:  # one round trip: the queue place is the arrival
            pipe.set(alive, "1", px=self.ttl_ms)
            pipe.rpush(queue, token)
            await pipe.execute()
        heartbeat = asyncio.create_task(self._heartbeat(alive))
        try:
            await self._wait_for_head(queue, alive_prefix, channel, token)
            yield
        finally:
            heartbeat.cancel()
            with suppress(asyncio.CancelledError):
                await heartbeat
            await self.redis.eval(_RELEASE, 2, queue, channel, token, alive)

    async def _wait_for_head(self, queue: str, alive_prefix: str, channel: str, token: str) -> None:
        pubsub = self.redis.pubsub()
        await pubsub.subscribe(channel)
        try:
            while True:
                head = await self.redis.eval(_HEAD, 1, queue, alive_prefix)
                if isinstance(head, bytes):
                    head = head.decode()
                if head == token:
                    return
                # Wait for a release anywhere (or the poll interval: a dead holder publishes nothing).
                await pubsub.get_message(ignore_subscribe_messages=True, timeout=self.poll)
        finally:
            with suppress(Exception):
                await pubsub.unsubscribe(channel)
            await pubsub.aclose()

    async def _heartbeat(self, alive: str) -> None:
        while True:
            await asyncio.sleep(self.ttl_ms / 3000)
            await self.redis.pexpire(alive, self.ttl_ms)
