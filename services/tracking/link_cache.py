"""code → where the link sends visitors, cached: the click path's only database read, shared by concurrent misses."""
from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from services.db.models import Partner
from services.db.tracking_models import Offer, TrackingLink
from services.kernel.deps import Deps
from services.tracking.click_rules import safe_target

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class LinkTarget:
    link_id: int
    partner_id: int
    offer_id: int
    target_url: str
    attribution_days: int
    subs: tuple[str | None, ...]  # the link's own sub1..sub5


class LinkCache:
    """code → LinkTarget, or None when the code cannot be served (unknown, archived link, paused offer, partner
    not approved). LRU-bounded so scanning random codes cannot grow memory; short TTL because status changes
    elsewhere (pausing an offer) must win within seconds even if nobody calls invalidate(). Concurrent misses of
    one code share one query."""

    def __init__(self, deps: Deps, *, ttl: float = 30.0, max_size: int = 10_000,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self._deps = deps
        self.ttl = ttl
        self.max_size = max_size
        self._timer = timer
        self._entries: OrderedDict[str, tuple[float, LinkTarget | None]] = OrderedDict()
        self._loading: dict[str, asyncio.Task[LinkTarget | None]] = {}
        self._generation = 0  # bumped by invalidate(): a load started before it must not store its answer
        self.loads = 0

    def invalidate(self, code: str | None = None) -> None:
        """Forget one code (a link archived, renamed…) or, with None, everything (an offer paused, a partner
        blocked: many codes at once)."""
        self._generation += 1
        if code is None:
            self._entries.clear()
            self._loading.clear()
        else:
            self._entries.pop(code, None)
            self._loading.pop(code, None)

    async def get(self, code: str) -> LinkTarget | None:
        entry = self._entries.get(code)
        if entry is not None and entry[0] > self._timer():
            self._entries.move_to_end(code)
            return entry[1]
        task = self._loading.get(code)
        if task is None:
            task = asyncio.create_task(self._load(code, self._generation))
            self._loading[code] = task
            task.add_done_callback(lambda done: self._loaded(code, done))
        # shield: a visitor who hangs up must not cancel the query others are waiting on.
        return await asyncio.shield(task)

    def _loaded(self, code: str, task: asyncio.Task[LinkTarget | None]) -> None:
        if self._loading.get(code) is task:
            del self._loading[code]
        if not task.cancelled():
            task.exception()  # retrieved here so a load nobody awaits any more is not logged as lost

    async def _load(self, code: str, generation: int) -> LinkTarget | None:
        self.loads += 1
        target = await self._query(code)
        if generation == self._generation:
            self._entries[code] = (self._timer() + self.ttl, target)
            self._entries.move_to_end(code)
            while len(self._entries) > self.max_size:
                self._entries.popitem(last=False)
        return target

    async def _query(self, code: str) -> LinkTarget | None:
        stmt = (
            select(TrackingLink.id, TrackingLink.partner_id, TrackingLink.offer_id, TrackingLink.archived_at,
                   TrackingLink.sub1, TrackingLink.sub2, TrackingLink.sub3, TrackingLink.sub4, TrackingLink.sub5,
                   Offer.target_url, Offer.attribution_days, Offer.status, Partner.status)
            .join(Offer, Offer.id == TrackingLink.offer_id)
            .join(Partner, Partner.id == TrackingLink.partner_id)
            .where(TrackingLink.code == code)
        )
        async with self._deps.uow(readonly=True) as uow:  # never queues behind the click writer's lock
            row = (await uow.session.execute(stmt)).one_or_none()
        if row is None:
            return None
        (link_id, partner_id, offer_id, archived_at, s1, s2, s3, s4, s5,
         target_url, attribution_days, offer_status, partner_status) = row
        if archived_at is not None or offer_status != "active" or partner_status != "approved":
            return None
        if not safe_target(target_url):
            log.warning("offer %s has an unusable target URL; link %s answers 404", offer_id, code)
            return None
        return LinkTarget(link_id, partner_id, offer_id, target_url, attribution_days, (s1, s2, s3, s4, s5))
