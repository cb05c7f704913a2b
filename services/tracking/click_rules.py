"""Where a click sends the visitor: only ever the offer's URL from the database, plus our parameters."""
from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from urllib.parse import quote_plus, unquote_plus, urlsplit, urlunsplit

from services.tracking.click_rows import SUB_KEYS
from services.tracking.visitors import clean_text

SUB_MAX, UA_MAX, REFERER_MAX = 64, 512, 512  # column sizes of clicks


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
    """The link's sub-ids, overridden by non-empty query values (cleaned: %00 and the like cannot be stored);
    truncated to the column size."""
    subs: dict[str, str] = {}
    for key, default in zip(SUB_KEYS, defaults, strict=True):
        value = clean_text(params.get(key)) or default
        if value:
            subs[key] = value[:SUB_MAX]
    return subs
