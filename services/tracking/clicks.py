"""Click redirect use case: resolve a link code, record the click with group commit, answer where to send the visitor.

Web-framework-free: the adapter (bot/web_clicks.py) turns a request into a ClickRequest, and a Redirect / NotFound
back into a response. Hot path per request: a dict lookup (LinkCache), two hashes, and one await on the writer's
shared commit — no database round trip of its own. The unique and flood flags are computed where the batch is
written (services/tracking/click_store.py), in the batch's one transaction. The parts: visitors (who), link_cache
(where to), click_rules (the redirect URL), click_writer (group commit), click_store (the database).
"""
from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from services.kernel.deps import Deps
from services.tracking.click_rule import flood_limits
from services.tracking.click_rules import REFERER_MAX, UA_MAX, effective_subs, redirect_url
from services.tracking.click_store import ClickStore, SqlClickStore
from services.tracking.click_writer import ClickNotRecorded, ClickWriter, click_row
from services.tracking.link_cache import LinkCache
from services.tracking.visitors import (  # noqa: F401  (re-exported: the click path's public names)
    DEFAULT_TRUSTED_PROXIES,
    classify_ua,
    clean_text,
    client_ip,
    hash_ip,
    hash_ua,
    new_click_id,
    parse_networks,
    source_of,
)

log = logging.getLogger(__name__)

CLICK_COOKIE = "pb_click"
_CODE = re.compile(r"[A-Za-z0-9]{1,32}")  # what services.codes produces; anything else cannot exist


# ---------------------------------------------------------------------------------------------------------------
# Results and requests: plain data the adapter maps to HTTP.

@dataclass(frozen=True, slots=True)
class ClickRequest:
    code: str
    client_ip: str  # as client_ip() returns it (normalised); hashed here, never stored
    user_agent: str | None = None
    referer: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)  # query string; only sub1..sub5 are read
    record: bool = True  # False for HEAD: behave like GET, write nothing


@dataclass(frozen=True, slots=True)
class Redirect:
    url: str
    click_id: str | None = None  # None: nothing was recorded (HEAD, preview bot) → set no cookie
    cookie_max_age: int | None = None  # seconds (the offer's attribution window)


@dataclass(frozen=True, slots=True)
class NotFound:
    pass


NOT_FOUND = NotFound()


class ClickService:
    """GET /r/{code} without the HTTP: lookup (cached), click row to the group-commit writer, redirect target."""

    def __init__(self, deps: Deps, *, store: ClickStore | None = None, cache_ttl: float = 30.0,
                 cache_size: int = 10_000, max_batch: int = 500, max_queue: int = 10_000, batch_timeout: float = 10.0,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.deps = deps
        self.links = LinkCache(deps, ttl=cache_ttl, max_size=cache_size, timer=timer)
        self.writer = ClickWriter(store or SqlClickStore(deps.uow), max_batch=max_batch, max_queue=max_queue,
                                  batch_timeout=batch_timeout, timer=timer)
        self.unrecorded = 0  # visitors redirected without a click since start: the store failed (ClickMetrics)

    async def start(self) -> None:
        await self.writer.store.start()
        await self.writer.start()

    async def stop(self) -> None:
        try:
            await self.writer.stop()
        finally:
            await self.writer.store.close()

    def invalidate(self, code: str | None = None) -> None:
        """Call after archiving a link (its code) or pausing an offer / changing a partner's status (None)."""
        self.links.invalidate(code)

    def health(self) -> dict[str, object]:
        """For a health endpoint: whether clicks are being written, and how many went unrecorded since start."""
        paused = self.writer.backoff.waiting()
        state = "stopped" if not self.writer.running else "paused" if paused else "running"
        return {"writer": state, "unrecorded": self.unrecorded, "failures_in_a_row": self.writer.backoff.failures}

    async def click(self, request: ClickRequest) -> Redirect | NotFound:
        """Raises ClickNotRecorded only when the link could not be looked up (→ 503: there is nowhere to send the
        visitor). A click the store cannot take still redirects, without a click id, and is counted."""
        if not _CODE.fullmatch(request.code):
            return NOT_FOUND
        try:
            target = await self.links.get(request.code)
        except Exception as exc:
            log.exception("link lookup failed")
            raise ClickNotRecorded("link lookup failed") from exc
        if target is None:
            return NOT_FOUND
        subs = effective_subs(target.subs, request.params)
        user_agent = clean_text(request.user_agent)[:UA_MAX]
        preview, flags = classify_ua(user_agent)
        if not request.record or preview:
            return Redirect(redirect_url(target.target_url, subs))

        click_id = new_click_id()
        # Config is read per click: the composition root may replace deps.config while running.
        config = self.deps.config
        try:
            await self.writer.submit(click_row(
                click_id, target, subs, self.deps.clock.now(),
                hash_ip(config.ip_hash_secret, source_of(request.client_ip)), user_agent,
                clean_text(request.referer)[:REFERER_MAX], flags,
                *flood_limits(config.click_flood_per_hour, config.click_flood_cap_factor)))
        except ClickNotRecorded:
            # The visitor still reaches the offer: a lost click costs less than a lost customer.
            self.unrecorded += 1
            return Redirect(redirect_url(target.target_url, subs))
        return Redirect(redirect_url(target.target_url, {"click_id": click_id, **subs}), click_id,
                        target.attribution_days * 86400)
