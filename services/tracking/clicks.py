"""Click redirect use case: resolve a link code, record the click with group commit, answer where to send the visitor.

Web-framework-free: the adapter (bot/web_clicks.py) turns a request into a ClickRequest and a Redirect / NotFound
back into a response. Hot path per request: a dict lookup (LinkCache), two hashes, and one await on the writer's
shared commit — no database round trip of its own.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import re
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import SplitResult, unquote_plus, urlencode, urlsplit, urlunsplit

from sqlalchemy import BigInteger, String, bindparam, case, column, func, insert, select, values
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from services.codes import new_code
from services.db.base import UTCDateTime
from services.db.models import Partner
from services.db.tracking_models import Click, Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.deps import Deps

log = logging.getLogger(__name__)

CLICK_COOKIE = "pb_click"
CLICK_ID_LENGTH = 22  # 62^22 ≈ 2^131: unguessable, fits clicks.click_id String(32)
SUB_KEYS = ("sub1", "sub2", "sub3", "sub4", "sub5")
SUB_MAX, UA_MAX, REFERER_MAX = 64, 512, 512  # column sizes of clicks
UNIQUE_WINDOW = timedelta(hours=24)
FLOOD_WINDOW = timedelta(hours=1)
FLAG_BOT_UA, FLAG_FLOOD = "bot_ua", "flood"
DEFAULT_TRUSTED_PROXIES = ("127.0.0.0/8", "::1/128")

_CODE = re.compile(r"[A-Za-z0-9]{1,32}")  # what services.codes produces; anything else cannot exist
# Link-preview fetchers of messengers and social networks: not people, so no click (they still get the redirect,
# which is what builds the preview card).
_PREVIEW_BOT = re.compile(
    r"TelegramBot|vkShare|facebookexternalhit|Facebot|Twitterbot|WhatsApp|Slackbot|Discordbot|SkypeUriPreview",
    re.IGNORECASE)
# Automated clients: flagged, never dropped. "(?<!cu)bot" spares the CUBOT phone brand.
_BOT_UA = re.compile(
    r"(?<!cu)bot|spider|crawl|slurp|curl|wget|python|httpx|aiohttp|okhttp|libwww|java/|go[ -]http|headless"
    r"|phantomjs|selenium|puppeteer|playwright|scrapy|axios|node[ -]fetch|httpclient|postman|insomnia",
    re.IGNORECASE)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
IP = ipaddress.IPv4Address | ipaddress.IPv6Address


# ---------------------------------------------------------------------------------------------------------------
# Results and requests: plain data the adapter maps to HTTP.

@dataclass(frozen=True, slots=True)
class ClickRequest:
    code: str
    client_ip: str  # already resolved by client_ip(); hashed here, never stored
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


class ClickNotRecorded(Exception):
    """The click could not be committed (database failure, writer stopped, queue full): answer 503."""


# ---------------------------------------------------------------------------------------------------------------
# Client identity: the IP behind trusted proxies, hashed before anything else sees it.

def parse_networks(items: Iterable[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


def _ip(value: str | None) -> IP | None:
    try:
        ip = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return None
    # "::ffff:1.2.3.4" from a dual-stack socket is the same visitor as "1.2.3.4".
    mapped = getattr(ip, "ipv4_mapped", None)
    return mapped or ip


def client_ip(peer: str | None, forwarded_for: Sequence[str], trusted: Sequence[Network]) -> str:
    """The visitor's IP. X-Forwarded-For is believed only when the peer is a trusted proxy, and only back to
    the first hop that is not one of ours: everything left of that was written by the client and can be forged."""
    ip = _ip(peer)
    if ip is None:
        return peer or ""
    hops = [hop.strip() for header in forwarded_for for hop in header.split(",")]
    while hops and _trusted(ip, trusted):
        hop = _ip(hops.pop())
        if hop is None:  # garbage from behind our proxy: stop at the last address we can vouch for
            break
        ip = hop
    return str(ip)


def _trusted(ip: IP, trusted: Sequence[Network]) -> bool:
    return any(ip.version == net.version and ip in net for net in trusted)


def hash_ip(secret: str, ip: str) -> str:
    """Keyed (HMAC-SHA256, hex): equal IPs compare equal, but the hash cannot be reversed by trying all 2^32."""
    normal = str(_ip(ip) or ip)
    return hmac.new(secret.encode(), normal.encode(), hashlib.sha256).hexdigest()


def hash_ua(user_agent: str) -> str:
    return hashlib.sha256(user_agent.encode("utf-8", "surrogatepass")).hexdigest()


def is_preview_bot(user_agent: str | None) -> bool:
    return bool(user_agent) and _PREVIEW_BOT.search(user_agent or "") is not None


def ua_flags(user_agent: str | None) -> tuple[str, ...]:
    if not user_agent or not user_agent.strip() or _BOT_UA.search(user_agent):
        return (FLAG_BOT_UA,)
    return ()


# ---------------------------------------------------------------------------------------------------------------
# Redirect URL: only ever the offer's URL from the database, plus our parameters.

def safe_target(url: str) -> bool:
    """Offers are validated on input; this is the last line against a bad row becoming a javascript: link."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    return (parts.scheme in ("http", "https") and bool(parts.hostname)
            and not any(c.isspace() or ord(c) < 32 for c in url))


def redirect_url(target: str, params: Mapping[str, str]) -> str:
    """Appends params to the target's query. The advertiser's own parameters stay byte for byte (they may be
    signed), except those named like ours, which ours replace instead of duplicating."""
    parts: SplitResult = urlsplit(target)
    kept = [pair for pair in parts.query.split("&")
            if pair and unquote_plus(pair.split("=", 1)[0]) not in params]
    query = "&".join([*kept, urlencode(list(params.items()))]) if params else "&".join(kept)
    return urlunsplit(parts._replace(query=query))


def effective_subs(defaults: Sequence[str | None], params: Mapping[str, str]) -> dict[str, str]:
    """The link's sub-ids, overridden by non-empty query values; truncated to the column size."""
    subs: dict[str, str] = {}
    for key, default in zip(SUB_KEYS, defaults, strict=True):
        value = params.get(key) or default
        if value:
            subs[key] = value[:SUB_MAX]
    return subs


# ---------------------------------------------------------------------------------------------------------------
# Link lookup cache.

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
        async with self._deps.uow() as uow:
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


# ---------------------------------------------------------------------------------------------------------------
# Group-commit writer.

@dataclass(slots=True)
class _Pending:
    row: dict[str, Any]  # clicks columns; is_unique and flags are completed by the writer
    ua_flags: tuple[str, ...]
    future: asyncio.Future[None]


_STOP = object()


class ClickWriter:
    """One task owns all click inserts. A request queues its row and awaits a future; the task takes whatever is
    queued (up to max_batch), writes it in ONE transaction and resolves every future after the commit. So each
    302 follows a durable click, yet N concurrent visitors cost one commit, not N (SQLite has a single writer
    anyway; on PostgreSQL it saves N-1 fsyncs).

    Unique and flood flags are computed here, with one query per batch (see _mark), not per request."""

    def __init__(self, uow: Callable[[], UnitOfWork], flood_limit: Callable[[], int], *, max_batch: int = 500,
                 max_queue: int = 10_000, commit_timeout: float = 10.0) -> None:
        self._uow = uow
        self._flood_limit = flood_limit
        self.max_batch = max_batch
        self.commit_timeout = commit_timeout
        self._queue: asyncio.Queue[_Pending | object] = asyncio.Queue(max_queue)
        self._task: asyncio.Task[None] | None = None
        self._accepting = False
        self.batches = 0  # committed transactions
        self.clicks = 0  # rows committed
        self.failed = 0  # rows whose request got ClickNotRecorded from a failed write

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
        self._fail_queued()

    async def submit(self, row: dict[str, Any], flags: tuple[str, ...] = ()) -> None:
        """Returns once the row is committed; raises ClickNotRecorded otherwise."""
        if not self._accepting or not self.running:
            raise ClickNotRecorded("click writer is not running")
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        try:
            self._queue.put_nowait(_Pending(row, flags, future))
        except asyncio.QueueFull:  # shed load rather than queue minutes of latency
            raise ClickNotRecorded("click queue is full") from None
        try:
            await asyncio.wait_for(future, self.commit_timeout)
        except TimeoutError:
            raise ClickNotRecorded("click commit timed out") from None

    async def _run(self) -> None:
        stopping = False
        while not stopping:
            first = await self._queue.get()
            if first is _STOP:
                break
            # One turn of the loop lets handlers that are already runnable queue their rows too: fuller batches
            # for no measurable latency.
            await asyncio.sleep(0)
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
            await self._write(batch)
        except IntegrityError:
            if len(batch) == 1:
                self._fail(batch, "click insert rejected")
                log.exception("click insert rejected")
                return
            # One bad row (its link deleted since it was cached…) must not cost the other visitors their
            # clicks: write them one by one. Only for constraint errors — an outage would just fail N times.
            log.warning("click batch of %d rejected; isolating the bad rows", len(batch))
            for item in batch:
                await self._flush([item])
            return
        except asyncio.CancelledError:
            self._fail(batch, "click writer cancelled")
            raise
        except Exception:
            log.exception("click batch of %d failed", len(batch))
            self._fail(batch, "click batch failed")
            return
        self.batches += 1
        self.clicks += len(batch)
        for item in batch:
            if not item.future.done():  # the visitor may have gone; the click still counts
                item.future.set_result(None)

    async def _write(self, batch: list[_Pending]) -> None:
        async with self._uow() as uow:
            await self._mark(uow, batch)
            await uow.session.execute(insert(Click), [item.row for item in batch])
            await uow.commit()

    async def _mark(self, uow: UnitOfWork, batch: list[_Pending]) -> None:
        """Sets is_unique and flags on every row of the batch, from one query plus the batch itself.

        Why a query per batch rather than an in-memory window: the database is the truth across restarts and
        across processes (SQLite serialises batches with BEGIN IMMEDIATE, so this read sees every committed
        click), memory stays bounded whatever the traffic, and the query is amortised over the batch.
        Its cost does not grow with history, even for a flooding IP (when it matters most): per distinct
        fingerprint one index seek for its last click (ix_clicks_link_fingerprint) and a flood count that reads
        at most ~limit entries of ix_clicks_ip_created, see _history(). Rows of the batch are folded in, in order, so clicks
        in one batch see each other. The flood window is anchored at the batch's earliest click: rows of a
        batch are milliseconds apart, so the hour boundary moves by that much at most."""
        limit = self._flood_limit()
        start = min(item.row["created_at"] for item in batch)
        last_seen, last_hour = await self._history(uow, batch, start - FLOOD_WINDOW, limit)
        for item in batch:
            row = item.row
            at: datetime = row["created_at"]
            key = (row["link_id"], row["ip_hash"], row["ua_hash"])
            previous = last_seen.get(key)
            row["is_unique"] = previous is None or previous <= at - UNIQUE_WINDOW
            if previous is None or at > previous:
                last_seen[key] = at
            flags = list(item.ua_flags)
            earlier = last_hour.get(row["ip_hash"], 0)
            if limit > 0 and earlier >= limit:  # this click is number limit+1 or later within the hour
                flags.append(FLAG_FLOOD)
            last_hour[row["ip_hash"]] = earlier + 1
            row["flags"] = ",".join(flags) or None

    @staticmethod
    async def _history(uow: UnitOfWork, batch: list[_Pending], hour_from: datetime, limit: int
                       ) -> tuple[dict[tuple[int, str, str], datetime], dict[str, int]]:
        """({fingerprint: its last click}, {ip_hash: clicks since hour_from, capped at limit}) from the DB."""
        keys = list(dict.fromkeys((item.row["link_id"], item.row["ip_hash"], item.row["ua_hash"])
                                  for item in batch))
        fp = values(column("link_id", BigInteger), column("ip_hash", String), column("ua_hash", String),
                    name="fp").data(keys).cte("fp")
        # ORDER BY … LIMIT 1 rather than max(): SQLite seeks the index end for it, but scans for a correlated max().
        last_click = (select(Click.created_at)
                      .where(Click.link_id == fp.c.link_id, Click.ip_hash == fp.c.ip_hash,
                             Click.ua_hash == fp.c.ua_hash)
                      .order_by(Click.created_at.desc()).limit(1).correlate(fp).scalar_subquery())
        columns = [fp.c.link_id, fp.c.ip_hash, fp.c.ua_hash, last_click]
        if limit > 0:
            # Counting an hour of a flooding IP would read all its rows, and only min(count, limit) matters. If its
            # limit-th latest click is inside the hour, the answer is `limit`; otherwise fewer than `limit` rows
            # are inside the hour and counting them is cheap. Either way at most ~limit index entries are read.
            since = bindparam("hour_from", hour_from, type_=UTCDateTime())
            older = aliased(Click)
            nth_latest = (select(older.created_at).where(older.ip_hash == fp.c.ip_hash)
                          .order_by(older.created_at.desc()).limit(1).offset(limit - 1)
                          .correlate(fp).scalar_subquery())
            in_hour = (select(func.count()).select_from(Click)
                       .where(Click.ip_hash == fp.c.ip_hash, Click.created_at > since)
                       .correlate(fp).scalar_subquery())
            columns.append(case((nth_latest > since, limit), else_=in_hour))
        last_seen: dict[tuple[int, str, str], datetime] = {}
        last_hour: dict[str, int] = {}
        for link_id, ip_hash, ua_hash, latest, *recent in (await uow.session.execute(select(*columns))).all():
            if latest is not None:
                last_seen[(link_id, ip_hash, ua_hash)] = latest
            if recent:  # the same per IP on each of its fingerprints
                last_hour[ip_hash] = min(int(recent[0] or 0), limit)
        return last_seen, last_hour

    def _fail(self, batch: Iterable[_Pending], reason: str) -> None:
        for item in batch:
            if not item.future.done():
                self.failed += 1
                item.future.set_exception(ClickNotRecorded(reason))

    def _fail_queued(self) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            if isinstance(item, _Pending):
                self._fail([item], "click writer stopped")


# ---------------------------------------------------------------------------------------------------------------
# The use case.

class ClickService:
    """GET /r/{code} without the HTTP: lookup (cached), click row to the group-commit writer, redirect target."""

    def __init__(self, deps: Deps, *, cache_ttl: float = 30.0, cache_size: int = 10_000, max_batch: int = 500,
                 max_queue: int = 10_000, commit_timeout: float = 10.0,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.deps = deps
        self.links = LinkCache(deps, ttl=cache_ttl, max_size=cache_size, timer=timer)
        # Config is read at use time: the composition root may replace deps.config while running.
        self.writer = ClickWriter(deps.uow, lambda: deps.config.click_flood_per_hour, max_batch=max_batch,
                                  max_queue=max_queue, commit_timeout=commit_timeout)

    async def start(self) -> None:
        await self.writer.start()

    async def stop(self) -> None:
        await self.writer.stop()

    def invalidate(self, code: str | None = None) -> None:
        """Call after archiving a link (its code) or pausing an offer / changing a partner's status (None)."""
        self.links.invalidate(code)

    async def click(self, request: ClickRequest) -> Redirect | NotFound:
        """Raises ClickNotRecorded when the click should have been recorded and could not be (→ 503)."""
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
        user_agent = request.user_agent or ""
        if not request.record or is_preview_bot(user_agent):
            return Redirect(redirect_url(target.target_url, subs))

        click_id = new_code(CLICK_ID_LENGTH)
        row: dict[str, Any] = {
            "click_id": click_id,
            "link_id": target.link_id,
            "partner_id": target.partner_id,
            "offer_id": target.offer_id,
            "created_at": self.deps.clock.now(),
            "ip_hash": hash_ip(self.deps.config.ip_hash_secret, request.client_ip),
            "ua_hash": hash_ua(user_agent),
            "user_agent": user_agent[:UA_MAX] or None,
            "referer": (request.referer or "")[:REFERER_MAX] or None,
            **{key: subs.get(key) for key in SUB_KEYS},
        }
        await self.writer.submit(row, ua_flags(user_agent))
        return Redirect(redirect_url(target.target_url, {"click_id": click_id, **subs}), click_id,
                        target.attribution_days * 86400)
