"""What the bot's processes share, picked from settings: Redis when REDIS_URL is set, PostgreSQL's advisory lock
for the scheduler's leadership, memory otherwise (one process: `make run`)."""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from bot.config import Settings
from services.shared.dedup import Deduplicator, LocalDeduplicator, RedisDeduplicator
from services.kernel.locks import KeyedLock
from services.kernel.signals import Signals
from services.shared.leader import Leadership, LocalLeadership, PgAdvisoryLeadership, RedisLeadership
from services.shared.locks import RedisKeyedLock
from services.shared.rate import RedisRateLimiter, SendLimiter
from services.shared.signals import RedisSignals

log = logging.getLogger(__name__)

SEND_RATES = {"telegram": 25.0, "vk": 15.0}  # per second, for the whole deployment (all processes together)


@dataclass
class SharedState:
    signals: Signals
    user_locks: Any  # KeyedLock | RedisKeyedLock: both have hold(key)
    leadership: Leadership
    dedup: Deduplicator
    redis: Any = None
    limiters: dict[str, SendLimiter] = field(default_factory=dict)  # empty: the outbox's in-memory limiters

    async def start(self) -> None:
        if isinstance(self.signals, RedisSignals):
            await self.signals.start()

    async def close(self) -> None:
        if isinstance(self.signals, RedisSignals):
            await self.signals.stop()
        if self.redis is not None:
            await self.redis.aclose()


def build_shared_state(settings: Settings, engine: AsyncEngine) -> SharedState:
    if settings.redis_url:
        import redis.asyncio as aioredis

        client = aioredis.from_url(settings.redis_url, socket_connect_timeout=5, health_check_interval=30)
        return SharedState(
            signals=RedisSignals(client), user_locks=RedisKeyedLock(client), leadership=RedisLeadership(client),
            dedup=RedisDeduplicator(client), redis=client,
            limiters={name: RedisRateLimiter(client, f"partnerbot:rate:{name}", rate)
                      for name, rate in SEND_RATES.items()})
    leadership: Leadership = (PgAdvisoryLeadership(engine) if settings.database_url.startswith("postgresql")
                              else LocalLeadership())
    return SharedState(signals=Signals(), user_locks=KeyedLock(), leadership=leadership, dedup=LocalDeduplicator())
