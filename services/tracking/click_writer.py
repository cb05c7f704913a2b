"""Group commit: one task writes every queued click in one transaction and answers the visitors after it."""
from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from services.tracking.backoff import Backoff
from services.tracking.click_store import BatchRejected, ClickRow, ClickStore
from services.tracking.link_cache import LinkTarget
from services.tracking.visitors import hash_ua

log = logging.getLogger(__name__)


class ClickNotRecorded(Exception):
    """The click could not be committed (store down or paused after failures, writer stopped, queue full, its row
    refused)."""


def click_row(click_id: str, target: LinkTarget, subs: Mapping[str, str], at: datetime, ip_hash: str,
              user_agent: str, referer: str, flags: tuple[str, ...], flood_limit: int, flood_cap: int) -> ClickRow:
    return ClickRow(click_id, target.link_id, target.partner_id, target.offer_id, at, ip_hash, hash_ua(user_agent),
                    user_agent or None, referer or None,
                    (subs.get("sub1"), subs.get("sub2"), subs.get("sub3"), subs.get("sub4"), subs.get("sub5")),
                    ",".join(flags) or None, flood_limit, flood_cap)


@dataclass(slots=True)
class _Pending:
    row: ClickRow
    future: asyncio.Future[None]


_STOP = object()


def _settle(batch: list[_Pending], failure: str | None) -> int:
    """Resolves the requests' futures (on their loop); returns how many were failed."""
    failed = 0
    for item in batch:
        if item.future.done():  # the visitor may have gone; a committed click still counts
            continue
        if failure is None:
            item.future.set_result(None)
        else:
            item.future.set_exception(ClickNotRecorded(failure))
            failed += 1
    return failed


class ClickWriter:
    """Group commit. One task owns all click inserts: a request queues its row and awaits a future; the task takes
    whatever is queued (up to max_batch), writes it in ONE transaction through the ClickStore and resolves every
    future after the commit. So each 302 follows a durable click, yet N concurrent visitors cost
    one commit, not N.

    After a failed batch (an outage: the store down, locked past batch_timeout) the next one is tried at once;
    after two in a row, submit() refuses at once for a pause that doubles with each further failure (Backoff), so
    visitors are not each held for a doomed attempt and a dead SQLite writer process is not restarted per batch."""

    def __init__(self, store: ClickStore, *, max_batch: int = 500, max_queue: int = 10_000,
                 batch_timeout: float = 10.0, timer: Callable[[], float] = time.monotonic) -> None:
        self.store = store
        self.max_batch = max_batch
        self.batch_timeout = batch_timeout
        self.backoff = Backoff(timer=timer)
        self._queue: asyncio.Queue[_Pending | object] = asyncio.Queue(max_queue)
        self._task: asyncio.Task[None] | None = None
        self._accepting = False
        self.batches = 0  # committed transactions
        self.clicks = 0  # rows committed
        self.failed = 0  # requests answered ClickNotRecorded after a failed write

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self.running:
            return
        self._accepting = True
        self._task = asyncio.create_task(self._run(), name="click writer")

    async def stop(self, timeout: float = 30.0) -> None:
        """Stops taking clicks, writes everything already queued, then ends the task."""
        self._accepting = False
        if self._task is None:
            return
        if not self._task.done():
            await self._queue.put(_STOP)  # FIFO: it arrives after every click queued before it
            try:
                await asyncio.wait_for(asyncio.shield(self._task), timeout)
            except TimeoutError:
                log.error("click writer did not flush within %ss; failing what is left", timeout)
                self._task.cancel()
                await asyncio.gather(self._task, return_exceptions=True)
        self._task = None
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if isinstance(item, _Pending):
                self.failed += _settle([item], "click writer stopped")

    async def submit(self, row: ClickRow) -> None:
        """Returns once the row is committed; raises ClickNotRecorded otherwise. No timeout here: every batch
        has one (batch_timeout), which bounds the wait without a timer per request."""
        if not self._accepting or not self.running:
            raise ClickNotRecorded("click writer is not running")
        if self.backoff.waiting():
            raise ClickNotRecorded("click store failing; paused")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait(_Pending(row, future))
        except asyncio.QueueFull:  # shed load rather than queue minutes of latency
            raise ClickNotRecorded("click queue is full") from None
        await future

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is _STOP:
                break
            # No extra wait for company: by the time this task runs, every handler that ran before it has queued.
            batch: list[_Pending] = [first]  # type: ignore[list-item]
            while len(batch) < self.max_batch:
                try:
                    item = self._queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if item is _STOP:
                    stopping = True
                    break
                batch.append(item)  # type: ignore[arg-type]
            await self._flush(batch)

    async def _flush(self, batch: list[_Pending]) -> None:
        try:
            # asyncio.timeout, not wait_for: no extra task, so no extra loop turn (milliseconds under load).
            async with asyncio.timeout(self.batch_timeout):
                await self._write(batch)
        except BatchRejected as exc:
            if len(batch) == 1:
                log.warning("click refused: %s", exc)
                self.failed += _settle(batch, "click insert rejected")
                return
            # A bad row (its link deleted since it was cached…) must not cost the other visitors their clicks:
            # halves are retried until the bad rows stand alone (about 2·log2(n) writes per bad row). Only for
            # rejections — an outage would just fail every half too.
            log.warning("click batch of %d rejected (%s); isolating the bad rows", len(batch), exc)
            middle = len(batch) // 2
            await self._flush(batch[:middle])
            await self._flush(batch[middle:])
            return
        except asyncio.CancelledError:
            self.failed += _settle(batch, "click writer cancelled")
            raise
        except Exception:  # TimeoutError included: the visitors go on without a click, not into a hanging request
            self.backoff.failed()
            log.exception("click batch of %d failed (%d in a row)", len(batch), self.backoff.failures)
            self.failed += _settle(batch, "click batch failed")
            return
        self.batches += 1
        self.clicks += len(batch)
        self._committed(batch)

    def _committed(self, batch: list[_Pending]) -> None:
        self.backoff.succeeded()  # before the visitors hear of it: their next click sees the store as healthy
        _settle(batch, None)

    async def _write(self, batch: list[_Pending]) -> None:
        await self.store.write([item.row for item in batch], on_committed=lambda: self._committed(batch))
