"""Dropping redelivered updates: Telegram resends a webhook update and VK a callback event when our answer did
not arrive in time, so an update handled just before a crash or a slow answer may come again."""
from __future__ import annotations

from collections import OrderedDict
from typing import Any, Protocol


class Deduplicator(Protocol):
    async def first_time(self, key: str) -> bool:
        """True the first time `key` is seen (within the dedup window), False for a redelivery."""


class LocalDeduplicator:
    """One process: the ids seen lately, in memory."""

    def __init__(self, size: int = 100_000) -> None:
        self.size = size
        self._seen: OrderedDict[str, None] = OrderedDict()

    async def first_time(self, key: str) -> bool:
        if key in self._seen:
            return False
        self._seen[key] = None
        if len(self._seen) > self.size:
            self._seen.popitem(last=False)
        return True


class RedisDeduplicator:
    """Several workers: SET NX with a TTL longer than the platforms' redelivery window (hours)."""

    def __init__(self, redis: Any, prefix: str = "partnerbot:update:", ttl_seconds: int = 86_400) -> None:
        self.redis = redis
        self.prefix = prefix
        self.ttl = ttl_seconds

    async def first_time(self, key: str) -> bool:
        return bool(await self.redis.set(self.prefix + key, "1", nx=True, ex=self.ttl))
