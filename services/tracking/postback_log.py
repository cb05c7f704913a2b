"""postback_log: what is kept of each postback request, how much a source may get refused, and how long it is kept.

A refused request is kept short (REFUSED_KEEP characters of its query and body): it is evidence of a broken
integration or a probe, not a sale, and at full size every junk request could write 80 KiB. A source refused more
than REFUSED_LIMIT times in a window is answered 429 without any work — no database, one log row per window —
until the window ends. Rows older than POSTBACK_LOG_DAYS are deleted by a daily job.
"""
from __future__ import annotations

import logging
from collections import OrderedDict
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from services.db.tracking_models import PostbackLog
from services.kernel.deps import Deps
from services.tracking.postback_parse import MAX_BODY, PostbackResponse, RawPostback
from services.tracking.visitors import source_of

log = logging.getLogger(__name__)

REFUSED_KEEP = 2048  # characters of a refused request's query and body
QUERY_KEEP = 16384
REFUSED_LIMIT = 60  # refused requests per source per window before 429
REFUSED_WINDOW = 60  # seconds
PURGE_CHUNK = 5000  # rows per delete: short transactions, the click writer is not held up


def log_values(raw: RawPostback, received: datetime, response: PostbackResponse,
               conversion_id: int | None) -> dict[str, Any]:
    """The postback_log columns of one request (the batch inserts many of these in one statement)."""
    keep = REFUSED_KEEP if response.status >= 400 else None
    query = raw.query[:keep or QUERY_KEEP]
    body = raw.body[:keep or MAX_BODY].decode("utf-8", "replace")
    return dict(received_at=received, method=raw.method[:8], remote=(raw.remote or "")[:64] or None, query=query,
                body=body or None, status_code=response.status, result=response.body, conversion_id=conversion_id)


def log_row(raw: RawPostback, received: datetime, response: PostbackResponse,
            conversion_id: int | None) -> PostbackLog:
    return PostbackLog(**log_values(raw, received, response, conversion_id))


async def log_alone(deps: Deps, raw: RawPostback, received: datetime, response: PostbackResponse) -> None:
    try:
        async with deps.uow() as uow:
            uow.session.add(log_row(raw, received, response, None))
            await uow.commit()
    except Exception:  # the answer matters more than its log line
        log.exception("could not write postback_log")


class RefusalLimiter:
    """Refused requests per source (an IP; an IPv6 /64) in fixed windows of the clock. Bounded: past max_sources,
    the least recently refused source is forgotten (it starts again from zero)."""

    def __init__(self, limit: int = REFUSED_LIMIT, window: int = REFUSED_WINDOW, max_sources: int = 10_000) -> None:
        self.limit, self.window, self.max_sources = limit, window, max_sources
        self._sources: OrderedDict[str, list[int]] = OrderedDict()  # source → [window number, refused, 429s]

    def _entry(self, remote: str | None, now: datetime) -> list[int]:
        source = source_of(remote or "")
        number = int(now.timestamp()) // self.window
        entry = self._sources.get(source)
        if entry is None or entry[0] != number:
            entry = [number, 0, 0]
            self._sources[source] = entry
            while len(self._sources) > self.max_sources:
                self._sources.popitem(last=False)
        self._sources.move_to_end(source)
        return entry

    def check(self, remote: str | None, now: datetime) -> tuple[int, bool] | None:
        """None: go ahead. Otherwise the source is over its limit: (seconds until its window ends, whether this is
        the window's first refusal for it — the one to log)."""
        entry = self._sources.get(source_of(remote or ""))
        if entry is None or entry[0] != int(now.timestamp()) // self.window or entry[1] < self.limit:
            return None
        entry[2] += 1
        return (entry[0] + 1) * self.window - int(now.timestamp()), entry[2] == 1

    def refused(self, remote: str | None, now: datetime) -> None:
        self._entry(remote, now)[1] += 1


async def purge(deps: Deps) -> int:
    """Scheduler job: deletes postback_log rows older than postback_log_days (0 keeps everything)."""
    days = deps.config.postback_log_days
    if days <= 0:
        return 0
    cutoff = deps.clock.now() - timedelta(days=days)
    deleted = 0
    while True:
        async with deps.uow() as uow:
            ids = (await uow.session.scalars(select(PostbackLog.id).where(PostbackLog.received_at < cutoff)
                                             .order_by(PostbackLog.id).limit(PURGE_CHUNK))).all()
            if not ids:
                break
            await uow.session.execute(delete(PostbackLog).where(PostbackLog.id.in_(ids)))
            await uow.commit()
        deleted += len(ids)
    if deleted:
        log.info("postback_log: %d rows older than %d days deleted", deleted, days)
    return deleted
