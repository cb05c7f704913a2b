"""Send-rate limits shared by every process of a deployment (Telegram ~30 msg/s per bot, VK ~20 calls/s per
community): a token bucket in GCRA form, reserve-then-wait. In one process the outbox's RateLimiter does the same
in memory; with Redis, all processes draw from one bucket per messenger."""
from __future__ import annotations

import asyncio
from typing import Any, Protocol

# GCRA: KEYS[1] = theoretical arrival time (ms); ARGV: now_ms, interval_ms, burst_ms. Reserves the next slot and
# returns how long the caller must wait for it (0 = go now). Redis's clock (TIME) is used when now_ms is 0, so
# processes on different hosts agree.
_RESERVE = """
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('time')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('get', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - now - burst
if wait < 0 then wait = 0 end
redis.call('set', KEYS[1], tat + interval, 'px', math.floor(tat + interval - now + 1000))
return wait
"""


class SendLimiter(Protocol):
    async def wait(self) -> None: ...


class RedisRateLimiter:
    def __init__(self, redis: Any, key: str, per_second: float, burst: int = 1) -> None:
        self.redis = redis
        self.key = key
        self.interval_ms = 1000.0 / per_second if per_second > 0 else 0.0
        self.burst_ms = self.interval_ms * max(burst - 1, 0)

    async def reserve(self, now_ms: int = 0) -> float:
        """Takes the next slot; returns seconds to wait before using it."""
        if not self.interval_ms:
            return 0.0
        wait_ms = await self.redis.eval(_RESERVE, 1, self.key, now_ms, self.interval_ms, self.burst_ms)
        return float(wait_ms) / 1000.0

    async def wait(self) -> None:
        delay = await self.reserve()
        if delay > 0:
            await asyncio.sleep(delay)


# GCRA again, but admit-or-refuse instead of reserve-then-wait (an API answers 429 rather than holding a request
# open): KEYS[1] = theoretical arrival time (ms); ARGV: now_ms (0 = Redis's clock), interval_ms, burst_ms.
# Returns 0 when the request is admitted (the slot is taken), else the ms until one would be (nothing taken).
_ADMIT = """
local now = tonumber(ARGV[1])
if now == 0 then
  local t = redis.call('time')
  now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
end
local interval = tonumber(ARGV[2])
local burst = tonumber(ARGV[3])
local tat = tonumber(redis.call('get', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - now - burst
if wait > 0 then return math.ceil(wait) end
redis.call('set', KEYS[1], tat + interval, 'px', math.floor(tat + interval - now + 1000))
return 0
"""


class Admission(Protocol):
    async def admit(self, key: str) -> float:
        """0 when a request under `key` may go now (and it is counted); else seconds until one may."""
        ...


class MemoryAdmission:
    """GCRA per key in one process (no REDIS_URL). `now` is injectable for tests: a monotonic clock in seconds."""

    def __init__(self, per_minute: int, burst: int, now: Any = None) -> None:
        import time

        self.interval = 60.0 / per_minute if per_minute > 0 else 0.0
        self.burst = self.interval * max(burst - 1, 0)
        self.now = now or time.monotonic
        self.tat: dict[str, float] = {}

    async def admit(self, key: str) -> float:
        if not self.interval:
            return 0.0
        now = self.now()
        tat = max(self.tat.get(key, now), now)
        wait = tat - now - self.burst
        if wait > 0:
            return wait
        self.tat[key] = tat + self.interval
        if len(self.tat) > 10_000:  # forget keys whose bucket is full again
            self.tat = {k: v for k, v in self.tat.items() if v > now}
        return 0.0


class RedisAdmission:
    """The same, shared by every process of a deployment."""

    def __init__(self, redis: Any, prefix: str, per_minute: int, burst: int) -> None:
        self.redis = redis
        self.prefix = prefix
        self.interval_ms = 60_000.0 / per_minute if per_minute > 0 else 0.0
        self.burst_ms = self.interval_ms * max(burst - 1, 0)

    async def admit(self, key: str, now_ms: int = 0) -> float:
        if not self.interval_ms:
            return 0.0
        wait_ms = await self.redis.eval(_ADMIT, 1, f"{self.prefix}{key}", now_ms, self.interval_ms, self.burst_ms)
        return float(wait_ms) / 1000.0
