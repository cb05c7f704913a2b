"""Who clicked: the visitor's IP behind trusted proxies, its keyed hash, the user agent's class, and new click ids.

Everything here runs for every click, so each step is measured against the cheap alternative it replaced.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import os
import socket
import time
from collections.abc import Iterable, Sequence
from functools import lru_cache

from services.tracking.click_rule import source_of  # noqa: F401  (the rule's definition of a source)

FLAG_BOT_UA = "bot_ua"
DEFAULT_TRUSTED_PROXIES = ("127.0.0.0/8", "::1/128")

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


_CONTROLS = dict.fromkeys([*range(0x20), 0x7F], "\ufffd")


def clean_text(value: str | None) -> str:
    """Header or query text as it can be stored: valid UTF-8, no control characters. aiohttp hands undecodable
    header bytes over as lone surrogates (surrogateescape) and a query may carry %00 — either one made the insert
    of a whole click batch fail."""
    if not value:
        return ""
    if value.isascii() and value.isprintable():  # browsers' headers: one pass, no copy
        return value
    if not value.isascii():
        try:
            raw = value.encode("utf-8", "surrogateescape")  # the bytes as received
        except UnicodeEncodeError:  # a surrogate that did not come from a byte
            raw = value.encode("utf-8", "surrogatepass")
        value = raw.decode("utf-8", "replace")
    return value.translate(_CONTROLS)


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
