"""The postback group committer: one per process, between the web handler and the database.

Admitted postbacks (signature, shape and age already checked) wait in a queue; one task takes everything queued
(up to MAX_BATCH) and applies it in one transaction (postback_bulk.apply_batch). No timer: while a batch commits
the next one gathers, so a lone postback goes out at once and a flood shares its commits. Each request is
answered only after the transaction holding its conversion committed. What the batch hands back, and every
postback of a batch the database refused, goes the one-by-one way (postbacks.record_one) after it.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime

from services.kernel.deps import Deps
from services.tracking.postback_bulk import Item, apply_batch
from services.tracking.postback_parse import PostbackRequest, PostbackResponse, RawPostback
from services.tracking.postbacks import record_one, retriable

log = logging.getLogger(__name__)

MAX_BATCH = 200  # bounds one transaction's work (and how long it holds SQLite's write lock)


class PostbackBatcher:
    def __init__(self, deps: Deps, max_batch: int = MAX_BATCH) -> None:
        self.deps = deps
        self.max_batch = max_batch
        self._queue: list[tuple[Item, asyncio.Future[PostbackResponse]]] = []
        self._ready = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.batches = 0  # how many transactions the batch path committed (for tests and tuning)

    async def submit(self, raw: RawPostback, req: PostbackRequest, received: datetime) -> PostbackResponse:
        future: asyncio.Future[PostbackResponse] = asyncio.get_running_loop().create_future()
        self._queue.append((Item(raw, req, received), future))
        self._ready.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="PostbackBatcher")
        return await future

    async def close(self) -> None:
        """After the web side stopped taking requests: the queue is empty once their answers went out."""
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)

    async def _run(self) -> None:
        while True:
            await self._ready.wait()
            batch, self._queue = self._queue[:self.max_batch], self._queue[self.max_batch:]
            if not self._queue:
                self._ready.clear()
            if batch:
                await self._process(batch)

    async def _process(self, batch: list[tuple[Item, asyncio.Future[PostbackResponse]]]) -> None:
        items = [item for item, _ in batch]
        try:
            result = await apply_batch(self.deps, items)
        except Exception as exc:  # rolled back: redo each one by one, in its own transaction
            if retriable(exc):
                log.debug("postback batch of %d lost a race; redoing one by one: %r", len(items), exc)
            else:
                log.warning("postback batch of %d failed; redoing one by one: %r", len(items), exc)
            later = list(range(len(items)))
            responses: dict[int, PostbackResponse] = {}
        else:
            self.batches += 1
            later, responses = result.later, result.responses
            if result.outbox_rows:
                self.deps.wake_outbox()
        for index, response in responses.items():
            if not batch[index][1].done():
                batch[index][1].set_result(response)
        for index in sorted(later):
            item, future = batch[index]
            try:
                response = await record_one(self.deps, item.raw, item.req, item.received)
            except Exception as exc:  # handle_postback turns it into the answer and logs the request
                if not future.done():
                    future.set_exception(exc)
            else:
                if not future.done():
                    future.set_result(response)
