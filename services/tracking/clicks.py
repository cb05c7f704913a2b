"""Click redirect use case: resolve a link code, record the click with group commit, answer where to send the visitor.

Web-framework-free: the adapter (bot/web_clicks.py) turns a request into a ClickRequest, and a Redirect / NotFound
back into a response. Hot path per request: a dict lookup (LinkCache), two hashes, and one await on the writer's
shared commit — no database round trip of its own. The unique and flood flags are computed where the batch is
written (services/tracking/click_store.py), in the batch's one transaction.
"""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import ipaddress
import logging
import os
import re
import socket
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime
from urllib.parse import quote_plus, unquote_plus, urlsplit, urlunsplit

from sqlalchemy import func, select

from services.db.models import Partner
from services.db.tracking_models import Offer, TrackingLink
from services.kernel.deps import Deps
from services.tracking.click_store import (
    SUB_KEYS,
    BatchRejected,
    ClickRow,
    ClickStore,
    SqlClickStore,
)

log = logging.getLogger(__name__)

CLICK_COOKIE = "pb_click"
SUB_MAX, UA_MAX, REFERER_MAX = 64, 512, 512  # column sizes of clicks
FLAG_BOT_UA = "bot_ua"
DEFAULT_TRUSTED_PROXIES = ("127.0.0.0/8", "::1/128")

_CODE = re.compile(r"[A-Za-z0-9]{1,32}")  # what services.codes produces; anything else cannot exist
# Lower-case substrings of user agents (substring tests: a regex alternation of these cost ~100 µs per click).
# Link-preview fetchers of messengers and social networks: not people, so no click (they still get the redirect,
# which is what builds the preview card).
_PREVIEW_BOTS = tuple("telegrambot vkshare facebookexternalhit facebot twitterbot whatsapp slackbot discordbot "
                      "skypeuripreview".split())
# Automated clients: flagged, never dropped.
_AUTOMATED = tuple("bot spider crawl slurp curl wget python httpx aiohttp okhttp libwww java/ go-http headless "
                   "phantomjs selenium puppeteer playwright scrapy axios node-fetch httpclient postman "
                   "insomnia".split())

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


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


class ClickNotRecorded(Exception):
    """The click could not be committed (database failure, writer stopped, queue full): answer 503."""


# ---------------------------------------------------------------------------------------------------------------
# Client identity: the IP behind trusted proxies, hashed before anything else sees it.

class Networks(tuple[Network, ...]):
    """Parsed networks, with (version, network, mask) integers computed once: client_ip() tests them for every
    request behind a proxy."""
    masks: tuple[tuple[int, int, int], ...]

    def __new__(cls, networks: Iterable[Network]) -> Networks:
        self = super().__new__(cls, networks)
        self.masks = tuple((net.version, int(net.network_address), int(net.netmask)) for net in self)
        return self


def parse_networks(items: Iterable[str]) -> Networks:
    return Networks(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


_V4_MAPPED = bytes(10) + b"\xff\xff"


def _ip(value: str | None) -> tuple[str, int, int] | None:
    """(canonical text, version, address as an integer), or None if `value` is not an IP address. socket's strict
    C parser: ipaddress costs ten times more, and this runs for every click."""
    if not value:
        return None
    value = value.strip()
    try:
        packed = socket.inet_pton(socket.AF_INET, value)
    except OSError:
        try:
            packed = socket.inet_pton(socket.AF_INET6, value)
        except OSError:
            return None
        if packed[:12] == _V4_MAPPED:  # "::ffff:1.2.3.4" from a dual-stack socket is the visitor 1.2.3.4
            packed = packed[12:]
    if len(packed) == 4:
        return socket.inet_ntop(socket.AF_INET, packed), 4, int.from_bytes(packed)
    return socket.inet_ntop(socket.AF_INET6, packed), 6, int.from_bytes(packed)


def _trusted(ip: tuple[str, int, int], trusted: tuple[Network, ...]) -> bool:
    _, version, number = ip
    masks = trusted.masks if isinstance(trusted, Networks) else Networks(trusted).masks
    return any(version == v and number & mask == network for v, network, mask in masks)


def client_ip(peer: str | None, forwarded_for: Sequence[str], trusted: tuple[Network, ...]) -> str:
    """The visitor's IP, normalised. X-Forwarded-For is believed only when the peer is a trusted proxy, and only
    back to the first hop that is not one of ours: everything left of that was written by the client and can be
    forged."""
    ip = _ip(peer)
    if ip is None:
        return peer or ""
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    while hops and _trusted(ip, trusted):
        hop = _ip(hops.pop())
        if hop is None:  # garbage from behind our proxy: stop at the last address we can vouch for
            break
        ip = hop
    return ip[0]


# Hashes are kept to 128 bits (32 hex digits): ample against collisions between visitors, and they lead the click
# index every click writes a random page of — at 64 digits a click write cost 30 % more (measured).
HASH_BYTES = 16


def hash_ip(secret: str, ip: str) -> str:
    """Keyed (HMAC-SHA256, truncated, hex): equal IPs compare equal, but the hash cannot be reversed by trying
    all 2^32. Pass the normalised form client_ip() returns, so one visitor always gets one hash."""
    return hmac.digest(_key(secret), ip.encode(), "sha256")[:HASH_BYTES].hex()


@lru_cache(maxsize=4)
def _key(secret: str) -> bytes:
    return secret.encode()


class _RandomHex:
    """Hex digits from os.urandom (the CSPRNG secrets uses), fetched 4 KiB at a time: one system call per ~200
    click ids instead of one each. Every byte is handed out once. Event-loop thread only."""

    CHUNK = 4096

    def __init__(self) -> None:
        self._hex = ""
        self._at = 0

    def take(self, digits: int) -> str:
        if self._at + digits > len(self._hex):
            self._hex, self._at = os.urandom(self.CHUNK).hex(), 0
        at = self._at
        self._at = at + digits
        return self._hex[at:at + digits]


_random_hex = _RandomHex()


def new_click_id() -> str:
    """The time in milliseconds (12 hex digits), then 80 random bits. The random part makes it unguessable; the
    time prefix makes each new id sort after the last, so the unique index on click_id grows at its right edge
    instead of dirtying a random page per click. Hex: no escaping in a URL or a cookie."""
    return f"{time.time_ns() // 1_000_000:012x}{_random_hex.take(20)}"


@lru_cache(maxsize=4096)  # a few user agents make most of the traffic; keys are ≤ UA_MAX chars
def hash_ua(user_agent: str) -> str:
    return hashlib.sha256(user_agent.encode("utf-8", "surrogatepass")).digest()[:HASH_BYTES].hex()


@lru_cache(maxsize=4096)  # a few user agents make most of the traffic; keys are ≤ UA_MAX chars
def classify_ua(user_agent: str) -> tuple[bool, tuple[str, ...]]:
    """(is a link-preview bot, fraud flags) for a user agent ("" when there was none)."""
    lowered = user_agent.lower()
    if any(token in lowered for token in _PREVIEW_BOTS):
        return True, ()
    lowered = lowered.replace("cubot", "")  # a phone brand, not a bot
    if not lowered.strip() or any(token in lowered for token in _AUTOMATED):
        return False, (FLAG_BOT_UA,)
    return False, ()


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


@lru_cache(maxsize=4096)
def _split_target(target: str) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """(URL up to the query, ((raw pair, decoded name), …), fragment): parsed once per offer URL, not per click."""
    parts = urlsplit(target)
    pairs = tuple((pair, unquote_plus(pair.split("=", 1)[0])) for pair in parts.query.split("&") if pair)
    return urlunsplit(parts._replace(query="", fragment="")), pairs, parts.fragment


def _quote(value: str) -> str:
    return value if value.isascii() and value.isalnum() else quote_plus(value)  # most values need no escaping


def redirect_url(target: str, params: Mapping[str, str]) -> str:
    """Appends params to the target's query (form-encoded). The advertiser's own parameters stay byte for byte
    (they may be signed), except those named like ours, which ours replace instead of duplicating."""
    base, pairs, fragment = _split_target(target)
    query = [raw for raw, name in pairs if name not in params]
    query.extend(f"{_quote(name)}={_quote(value)}" for name, value in params.items())
    return base + ("?" + "&".join(query) if query else "") + ("#" + fragment if fragment else "")


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
                   # a landing-page link (issue 14, services/materials) lands there instead of the offer's URL
                   func.coalesce(TrackingLink.landing_url, Offer.target_url), Offer.attribution_days, Offer.status,
                   Partner.status)
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

def click_row(click_id: str, target: LinkTarget, subs: Mapping[str, str], at: datetime, ip_hash: str,
              user_agent: str, referer: str, flags: tuple[str, ...], flood_limit: int) -> ClickRow:
    return ClickRow(click_id, target.link_id, target.partner_id, target.offer_id, at, ip_hash, hash_ua(user_agent),
                    user_agent or None, referer or None,
                    (subs.get("sub1"), subs.get("sub2"), subs.get("sub3"), subs.get("sub4"), subs.get("sub5")),
                    ",".join(flags) or None, flood_limit)


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
    one commit, not N."""

    def __init__(self, store: ClickStore, *, max_batch: int = 500, max_queue: int = 10_000,
                 batch_timeout: float = 10.0) -> None:
        self.store = store
        self.max_batch = max_batch
        self.batch_timeout = batch_timeout
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
        except BatchRejected:
            if len(batch) == 1:
                log.exception("click insert rejected")
                self.failed += _settle(batch, "click insert rejected")
                return
            # One bad row (its link deleted since it was cached…) must not cost the other visitors their
            # clicks: write them one by one. Only for constraint errors — an outage would just fail N times.
            log.warning("click batch of %d rejected; isolating the bad rows", len(batch))
            for item in batch:
                await self._flush([item])
            return
        except asyncio.CancelledError:
            self.failed += _settle(batch, "click writer cancelled")
            raise
        except Exception:  # TimeoutError included: the visitors get a 503 rather than a hanging request
            log.exception("click batch of %d failed", len(batch))
            self.failed += _settle(batch, "click batch failed")
            return
        self.batches += 1
        self.clicks += len(batch)
        _settle(batch, None)

    async def _write(self, batch: list[_Pending]) -> None:
        await self.store.write([item.row for item in batch], on_committed=lambda: _settle(batch, None))


# ---------------------------------------------------------------------------------------------------------------
# The use case.

class ClickService:
    """GET /r/{code} without the HTTP: lookup (cached), click row to the group-commit writer, redirect target."""

    def __init__(self, deps: Deps, *, store: ClickStore | None = None, cache_ttl: float = 30.0,
                 cache_size: int = 10_000, max_batch: int = 500, max_queue: int = 10_000, batch_timeout: float = 10.0,
                 timer: Callable[[], float] = time.monotonic) -> None:
        self.deps = deps
        self.links = LinkCache(deps, ttl=cache_ttl, max_size=cache_size, timer=timer)
        self.writer = ClickWriter(store or SqlClickStore(deps.uow), max_batch=max_batch, max_queue=max_queue,
                                  batch_timeout=batch_timeout)

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
        user_agent = (request.user_agent or "")[:UA_MAX]
        preview, flags = classify_ua(user_agent)
        if not request.record or preview:
            return Redirect(redirect_url(target.target_url, subs))

        click_id = new_click_id()
        # Config is read per click: the composition root may replace deps.config while running.
        config = self.deps.config
        await self.writer.submit(click_row(
            click_id, target, subs, self.deps.clock.now(), hash_ip(config.ip_hash_secret, request.client_ip),
            user_agent, (request.referer or "")[:REFERER_MAX], flags, config.click_flood_per_hour))
        return Redirect(redirect_url(target.target_url, {"click_id": click_id, **subs}), click_id,
                        target.attribution_days * 86400)
