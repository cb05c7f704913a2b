"""Delivers outbox rows through the Notifier of each messenger: retries with backoff, honours rate limits.

Rows for a messenger that is not configured right now (VK token not set yet, say) are not even picked: they stay
pending, attempts untouched, and go out once that messenger is configured and the bot restarted.

A row is claimed with a lease (status "sending") before the send and marked "sent" right after it, so a restart
never re-sends what was marked; a crash in the instant between the platform's OK and the mark can repeat one
message (VK drops it by random_id = row id; Telegram has no such key). That window is the smallest possible.
"""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from datetime import timedelta

from services.kernel.deps import Deps
from services.messaging.bursts import BurstPolicy, Bursts
from services.messaging.files import with_stored_files
from services.kernel.dto import Screen, UnknownScreenFormat
from services.kernel.ports import DeliveryError, Notifier
from services.shared.rate import SendLimiter
from services.messaging.status import OutboxStatus

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
LEASE = timedelta(minutes=2)
FORMAT_RETRY_SECONDS = 600


def backoff(attempt: int) -> float:
    """Seconds before retry number `attempt` (1-based): 2, 4, 8 … capped at 10 minutes."""
    return float(min(2 ** attempt, 600))


class RateLimiter:
    """Spaces calls at least `1 / per_second` apart (Telegram ~30 msg/s, VK ~20 calls/s)."""

    def __init__(self, per_second: float) -> None:
        self.interval = 1.0 / per_second if per_second > 0 else 0.0
        self._next = 0.0
        self._lock = asyncio.Lock()

    async def wait(self) -> None:
        if not self.interval:
            return
        async with self._lock:
            now = time.monotonic()
            if self._next > now:
                await asyncio.sleep(self._next - now)
            self._next = max(now, self._next) + self.interval


DEFAULT_RATES = {"telegram": 25.0, "vk": 15.0}


class OutboxDispatcher:
    def __init__(self, deps: Deps, notifiers: Mapping[str, Notifier], *, batch: int = 50,
                 rates: Mapping[str, float] | None = None, bursts: BurstPolicy | None = None,
                 limiters: Mapping[str, SendLimiter] | None = None) -> None:
        self.deps = deps
        self.notifiers = dict(notifiers)
        self.bursts = Bursts(deps, self.notifiers, bursts)
        self.batch = batch
        rates = DEFAULT_RATES if rates is None else rates
        # Shared limiters (Redis: one budget for every process) where given, in-memory ones otherwise.
        self.limiters: dict[str, SendLimiter] = {
            name: (limiters or {}).get(name) or RateLimiter(rates.get(name, 0)) for name in self.notifiers}
        self._wake = asyncio.Event()

    def wake(self) -> None:
        self._wake.set()

    async def dispatch_once(self) -> int:
        """Delivers what is due now; returns how many rows it handled (sent, rescheduled or failed)."""
        handled = await self.bursts.flush()  # summaries whose edit interval has passed
        now = self.deps.clock.now()
        if not self.notifiers:
            return handled
        async with self.deps.uow() as uow:
            ids = await uow.outbox.due_ids(now, self.batch, self.notifiers)
        for message_id in ids:
            async with self.deps.uow() as uow:
                message = await uow.outbox.claim(message_id, self.deps.clock.now(), LEASE)
                await uow.commit()
            if message is None:
                continue  # another dispatcher took it
            handled += 1
            if await self.bursts.fold(message):  # one of many conversion notices: into the chat's summary
                continue
            await self._deliver(message.id, message.messenger, message.chat_id, message.locale, message.screen,
                                message.attempts, message.thread_id)
        return handled

    async def _deliver(self, message_id: int, messenger: str, chat_id: str, locale: str, screen: dict,
                       attempts: int, thread_id: str | None) -> None:
        notifier = self.notifiers.get(messenger)
        status, error, retry_at, delivered = OutboxStatus.SENT, None, None, None
        if notifier is None:  # not selected by due_ids; kept pending all the same, never failed for good
            status, error = OutboxStatus.PENDING, f"{messenger} is not configured"
            retry_at = self.deps.clock.now() + LEASE
        else:
            try:
                await self.limiters[messenger].wait()
                shown = await with_stored_files(self.deps, Screen.from_dict(screen))  # a digest's chart
                delivered = await notifier.send(chat_id, shown, locale, message_id, thread_id)
            except UnknownScreenFormat as exc:  # written by a newer deploy (rolled back?): wait for it, never drop
                status, error = OutboxStatus.PENDING, str(exc)
                retry_at = self.deps.clock.now() + timedelta(seconds=FORMAT_RETRY_SECONDS)
            except DeliveryError as exc:
                status, error = self._retry_or_fail(exc.permanent, attempts, str(exc))
                if status == OutboxStatus.PENDING:
                    delay = exc.retry_after if exc.retry_after is not None else backoff(attempts)
                    retry_at = self.deps.clock.now() + timedelta(seconds=delay)
            except Exception as exc:  # network errors and the unexpected: retry with backoff
                log.warning("outbox %s to %s:%s failed: %r", message_id, messenger, chat_id, exc)
                status, error = self._retry_or_fail(False, attempts, repr(exc))
                if status == OutboxStatus.PENDING:
                    retry_at = self.deps.clock.now() + timedelta(seconds=backoff(attempts))
        async with self.deps.uow() as uow:
            await uow.outbox.finish(message_id, status=status, now=self.deps.clock.now(), error=error,
                                    retry_at=retry_at, delivered=delivered)
            await uow.commit()

    @staticmethod
    def _retry_or_fail(permanent: bool, attempts: int, error: str) -> tuple[OutboxStatus, str]:
        if permanent or attempts >= MAX_ATTEMPTS:
            return OutboxStatus.FAILED, error
        return OutboxStatus.PENDING, error

    async def run(self, poll_seconds: float = 1.0) -> None:
        """Forever: deliver, then sleep until woken by a new row or the poll interval passes."""
        while True:
            self._wake.clear()  # before dispatching: a row written meanwhile wakes the next round
            try:
                while await self.dispatch_once():
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:
                log.exception("outbox dispatch failed; retrying")
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=poll_seconds)
            except TimeoutError:
                pass
