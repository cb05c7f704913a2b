"""Postback authentication: an HMAC-SHA256 signature over the parameters, and an optional IP allowlist.

The signed text: every parameter except `sig`, name and value each percent-encoded as UTF-8 (the RFC 3986
unreserved characters A-Z a-z 0-9 - . _ ~ kept, every other byte written %XX in upper-case hex), as `name=value`,
sorted by the encoded name, joined with `&`; `sig` is its hex HMAC-SHA256 (either case). In Python:

    enc = lambda s: urllib.parse.quote(s, safe="")
    pairs = sorted((enc(k), enc(v)) for k, v in params.items() if k != "sig")
    payload = "&".join(f"{k}={v}" for k, v in pairs)
    sig = hmac.new(SECRET.encode(), payload.encode(), hashlib.sha256).hexdigest()

Encoding is what makes the text injective: an "&" or "=" inside a value can no longer pass for a separator, so
{txid: "T&uid=77"} and {txid: "T", uid: "77"} sign different texts (with raw values both signed "txid=T&uid=77",
and one captured URL minted a second transaction id).

Compatibility with the earlier rule (raw `name=value`): for names and values of unreserved characters only (ids,
amounts, statuses, currency codes) both rules give the same text, so those signatures verify unchanged. A raw-rule
signature of other values (spaces, Cyrillic, ":" …) is still accepted while no name or value holds "&", "=" or
"%": without them the raw text is unambiguous, and it never equals the encoded text of another map (an encoded
text that differs from the raw one holds a "%"). Values with "&", "=" or "%" need the encoded rule.
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import lru_cache
from urllib.parse import quote

log = logging.getLogger(__name__)

SIGNATURE_PARAM = "sig"
_RAW_FORBIDDEN = frozenset("&=%")  # what makes a raw-rule text ambiguous (see the module docstring)

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def _encode(text: str) -> str:
    # surrogatepass: a lone surrogate still encodes one way only (parameters are strict UTF-8 anyway).
    return quote(text, safe="", encoding="utf-8", errors="surrogatepass")


def canonical(params: Mapping[str, str]) -> str:
    """The text that is signed (the encoded rule). Sorted by encoded name, not by "name=value": "offer" must come
    before "offer_id", as it did under the raw rule."""
    pairs = sorted((_encode(k), _encode(v)) for k, v in params.items() if k != SIGNATURE_PARAM)
    return "&".join(f"{k}={v}" for k, v in pairs)


def raw_canonical(params: Mapping[str, str]) -> str | None:
    """The earlier rule's text, or None where it would be ambiguous."""
    pairs = []
    for key in sorted(params):
        if key == SIGNATURE_PARAM:
            continue
        value = params[key]
        if _RAW_FORBIDDEN.intersection(key) or _RAW_FORBIDDEN.intersection(value):
            return None
        pairs.append(f"{key}={value}")
    return "&".join(pairs)


def accepted_texts(params: Mapping[str, str]) -> tuple[str, ...]:
    """Every text a valid signature of these parameters may be computed over."""
    encoded, raw = canonical(params), raw_canonical(params)
    return (encoded,) if raw is None or raw == encoded else (encoded, raw)


def _digest(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()


def sign(secret: str, params: Mapping[str, str]) -> str:
    if not secret:
        raise ValueError("an empty secret signs nothing")
    return _digest(secret, canonical(params))


def verify(secret: str, params: Mapping[str, str], signature: str | None) -> bool:
    """True only for a correct signature under a non-empty secret (an unset secret refuses everything)."""
    if not secret or not signature:
        return False
    # compare_digest takes ASCII str only; a non-ASCII "signature" is simply wrong.
    given = signature.strip().lower()
    if not given.isascii():
        return False
    # Every accepted text is checked, so the time taken does not tell which rule matched.
    matches = [hmac.compare_digest(_digest(secret, text), given) for text in accepted_texts(params)]
    return any(matches)


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
