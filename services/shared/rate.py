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
