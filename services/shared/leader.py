"""Exactly one active scheduler among several processes: whoever holds the leadership runs the jobs.

PostgreSQL: a session-level advisory lock on a dedicated connection. If the leader dies its connection closes and
the server frees the lock at once; a follower retrying every few seconds takes over. Redis: a key set with NX and
a TTL that the leader renews; a dead leader's key expires after the TTL. One process (SQLite): always the leader.
"""
from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

log = logging.getLogger(__name__)

# Any fixed 64-bit number works; this one reads "partnerb" so a DBA can tell whose lock it is in pg_locks.
ADVISORY_KEY = int.from_bytes(b"partnerb", "big") & 0x7FFF_FFFF_FFFF_FFFF


class Leadership(Protocol):
    async def try_acquire(self) -> bool:
        """Become the leader if nobody is; True when this process leads now."""

    async def still_leader(self) -> bool:
        """Renew / verify; False means the leadership was lost (connection dropped, key expired or taken)."""

    async def release(self) -> None: ...


class LocalLeadership:
    """A single process is always its own leader."""

    async def try_acquire(self) -> bool:
        return True

    async def still_leader(self) -> bool:
        return True

    async def release(self) -> None:
        return None


class PgAdvisoryLeadership:
    def __init__(self, engine: AsyncEngine, key: int = ADVISORY_KEY) -> None:
        self.engine = engine
        self.key = key
        self._conn: AsyncConnection | None = None

    async def try_acquire(self) -> bool:
        if self._conn is None:
            self._conn = await self.engine.connect()
        try:
            got = bool(await self._conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}))
            await self._conn.commit()  # the lock is session-level: it outlives this transaction
        except Exception:
            await self._drop()
            raise
        if not got:
            await self._drop()  # followers hold no idle connection
        return got

    async def still_leader(self) -> bool:
        if self._conn is None:
            return False
        try:
            held = await self._conn.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                "AND granted AND ((classid::bigint << 32) | objid::bigint) = :k"), {"k": self.key})
            await self._conn.commit()
            return bool(held)
        except Exception:
            log.warning("leadership connection lost", exc_info=True)
            await self._drop()
            return False

    async def release(self) -> None:
        if self._conn is not None:
            try:
                await self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                await self._conn.commit()
            finally:
                await self._drop()

    async def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                await conn.close()
            except Exception:  # already broken: the server frees the lock with the session
                conn.sync_connection and conn.sync_connection.invalidate()  # type: ignore[union-attr]


_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('pexpire', KEYS[1], ARGV[2])
end
return 0
"""
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then
  return redis.call('del', KEYS[1])
end
return 0
"""


class RedisLeadership:
    """`redis`: a redis.asyncio.Redis. The TTL bounds how long jobs stop when a leader dies."""

    def __init__(self, redis: Any, name: str = "partnerbot:scheduler-leader", ttl_ms: int = 15_000) -> None:
        self.redis = redis
        self.name = name
        self.ttl_ms = ttl_ms
        self.token = secrets.token_hex(16)

    async def try_acquire(self) -> bool:
        if await self.redis.set(self.name, self.token, nx=True, px=self.ttl_ms):
            return True
        return await self.still_leader()  # we may hold it already

    async def still_leader(self) -> bool:
        return bool(await self.redis.eval(_RENEW, 1, self.name, self.token, self.ttl_ms))

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.name, self.token)


async def lead(leadership: Leadership, *, on_elected: Callable[[], Awaitable[None] | None],
               on_deposed: Callable[[], Awaitable[None] | None], interval: float = 5.0,
               stop: asyncio.Event | None = None) -> None:
    """Campaign until `stop`: run on_elected when this process becomes leader, on_deposed when it stops being
    one (and at the end). Errors (database or Redis away) count as "not leader" and are retried."""
    stop = stop or asyncio.Event()
    leading = False
    try:
        while not stop.is_set():
            try:
                now_leading = await (leadership.still_leader() if leading else leadership.try_acquire())
            except Exception:
                log.warning("leader election failed; retrying", exc_info=True)
                now_leading = False
            if now_leading != leading:
                leading = now_leading
                log.info("scheduler leadership %s", "taken" if leading else "lost")
                result = (on_elected if leading else on_deposed)()
                if asyncio.iscoroutine(result):
                    await result
            try:
                await asyncio.wait_for(stop.wait(), timeout=interval)
            except TimeoutError:
                pass
    finally:
        if leading:
            result = on_deposed()
            if asyncio.iscoroutine(result):
                await result
            try:
                await leadership.release()
            except Exception:
                log.warning("could not release leadership (it expires on its own)", exc_info=True)
