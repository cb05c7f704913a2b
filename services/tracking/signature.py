"""Postback authentication: an HMAC-SHA256 signature over the parameters, and an optional IP allowlist.

The advertiser signs every parameter except `sig` itself: keys sorted, joined as `key=value` with `&`, values as
decoded (not percent-encoded) UTF-8 text; `sig` is the lowercase or uppercase hex digest. Example in Python:

    payload = "&".join(f"{k}={v}" for k, v in sorted(params.items()))
    sig = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache

log = logging.getLogger(__name__)

SIGNATURE_PARAM = "sig"

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class BadKey(ValueError):
    """A parameter name that would make the signed string ambiguous ("a=b" as a key reads like a pair)."""


def canonical(params: Mapping[str, str]) -> str:
    """The string that is signed. Keys holding "=" or "&" are refused: `{"a=1&b": "2"}` and `{"a": "1&b=2"}`
    must not sign the same text."""
    pairs = []
    for key in sorted(params):
        if key == SIGNATURE_PARAM:
            continue
        if not key or "=" in key or "&" in key:
            raise BadKey(key)
        pairs.append(f"{key}={params[key]}")
    return "&".join(pairs)


def sign(secret: str, params: Mapping[str, str]) -> str:
    if not secret:
        raise ValueError("an empty secret signs nothing")
    payload = canonical(params).encode("utf-8", "surrogatepass")
    return hmac.new(secret.encode(), payload, hashlib.sha256).hexdigest()


def verify(secret: str, params: Mapping[str, str], signature: str | None) -> bool:
    """True only for a correct signature under a non-empty secret (an unset secret refuses everything)."""
    if not secret or not signature:
        return False
    try:
        expected = sign(secret, params)
    except BadKey:
        return False
    # compare_digest takes ASCII str only; a non-ASCII "signature" is simply wrong.
    given = signature.strip().lower()
    if not given.isascii():
        return False
    return hmac.compare_digest(expected, given)


# ---------------------------------------------------------------------------------------------------------------
# IP allowlist

def parse_allowlist(items: Iterable[str]) -> tuple[Network, ...]:
    """IPs ("203.0.113.7") and networks ("203.0.113.0/24", "2001:db8::/32"); raises ValueError on garbage."""
    return tuple(ipaddress.ip_network(item.strip(), strict=False) for item in items if item.strip())


@lru_cache(maxsize=8)
def _cached_allowlist(items: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_allowlist(items)


def ip_allowed(remote: str | None, allowlist: Sequence[str]) -> bool:
    """An empty allowlist admits everyone; otherwise the remote address must fall into one of its networks.
    A misconfigured list (unparsable entry) admits no one: failing closed is the safe side for money."""
    if not allowlist:
        return True
    try:
        networks = _cached_allowlist(tuple(allowlist))
    except ValueError:
        log.error("POSTBACK_IP_ALLOWLIST has an entry that is neither an IP nor a network: %r", allowlist)
        return False
    try:
        ip = ipaddress.ip_address((remote or "").strip())
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)  # "::ffff:203.0.113.7" from a dual-stack socket
    ip = mapped or ip
    return any(ip.version == net.version and ip in net for net in networks)
