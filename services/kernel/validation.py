"""Validators for typed answers. Each returns the cleaned value or raises Invalid with a locale key."""
from __future__ import annotations

import ipaddress
import re
from typing import Any
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from urllib.parse import SplitResult, urlsplit


class Invalid(Exception):
    """A bad answer: `key` is the locale key of the explanation, `params` its arguments."""

    def __init__(self, key: str, params: dict[str, Any] | None = None) -> None:
        super().__init__(key)
        self.key = key
        self.params = params or {}


NAME_MAX = 64
EMAIL_MAX = 254
SOURCES_MAX_TEXT = 1000
SOURCES_MAX_COUNT = 10
AUDIENCE_MAX = 10_000_000_000

_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+"
                    r"[A-Za-z]{2,63}$")
_HANDLE = re.compile(r"^@[A-Za-z0-9_]{4,64}$")
_HOST = re.compile(r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+(?:[a-z]{2,63}|xn--[a-z0-9-]{2,59})$")


def text_length(value: str, *, max_len: int, min_len: int = 1) -> str:
    value = " ".join(value.split())
    if len(value) < min_len:
        raise Invalid("err-too-short", {"min": min_len})
    if len(value) > max_len:
        raise Invalid("err-too-long", {"max": max_len, "length": len(value)})
    return value


def name(value: str) -> str:
    value = text_length(value, max_len=NAME_MAX, min_len=2)
    if not any(ch.isalpha() for ch in value):
        raise Invalid("ob-err-name")
    return value


def email(value: str) -> str:
    value = value.strip()
    if len(value) > EMAIL_MAX:
        raise Invalid("err-too-long", {"max": EMAIL_MAX, "length": len(value)})
    if not _EMAIL.match(value) or ".." in value:
        raise Invalid("ob-err-email")
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


def _split(url: str) -> SplitResult | None:
    """urlsplit, or None where it raises ("https://[x]": a bracketed host that is no IPv6 address)."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 — raises on a port that is not a number in 0..65535
    except ValueError:
        return None
    return parts


def _source(item: str) -> str | None:
    if _HANDLE.match(item):
        return item
    candidate = item if "://" in item else f"https://{item}"
    parts = _split(candidate)
    if parts is None:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme in ("http", "https") and _HOST.match(host):
        return candidate
    return None


def sources(value: str) -> list[str]:
    """URLs, bare domains (t.me/x, vk.com/x) or @channels, separated by spaces, commas or new lines."""
    if len(value) > SOURCES_MAX_TEXT:
        raise Invalid("err-too-long", {"max": SOURCES_MAX_TEXT, "length": len(value)})
    items = [item.strip(" .;") for item in re.split(r"[\s,]+", value) if item.strip(" .;")]
    cleaned: list[str] = []
    bad: list[str] = []
    for item in items:
        ok = _source(item)
        (cleaned.append(ok) if ok else bad.append(item))
    if bad or not cleaned:
        raise Invalid("ob-err-sources", {"bad": ", ".join(bad[:3]) or "—"})
    unique = list(dict.fromkeys(cleaned))
    if len(unique) > SOURCES_MAX_COUNT:
        raise Invalid("ob-err-sources-count", {"max": SOURCES_MAX_COUNT})
    return unique


_MULTIPLIERS = {"k": 1_000, "к": 1_000, "тыс": 1_000, "m": 1_000_000, "м": 1_000_000, "млн": 1_000_000}


def audience(value: str) -> int:
    """"15000", "15 000", "15k", "1,5 млн" → int."""
    text = value.strip().lower().replace("\u00a0", " ")
    # ASCII digits only, and few of them: "1" and 400 zeros would overflow float() or exceed int()'s limit.
    match = re.fullmatch(r"([0-9][0-9\s]{0,30}(?:[.,][0-9]{1,6})?)\s*(k|к|тыс|m|м|млн)?\.?", text)
    if not match:
        raise Invalid("ob-err-audience")
    number, suffix = match.groups()
    number = number.replace(" ", "")
    if suffix:
        number_value = Decimal(number.replace(",", "."))
        result = int((number_value * _MULTIPLIERS[suffix]).to_integral_value(ROUND_HALF_UP))
    else:
        if re.search(r"[.,]", number):
            # "15,000" / "15.000" are thousands separators here; audiences are whole people
            if not re.fullmatch(r"\d{1,3}(?:[.,]\d{3})+", number):
                raise Invalid("ob-err-audience")
            number = re.sub(r"[.,]", "", number)
        result = int(number)
    if result <= 0 or result > AUDIENCE_MAX:
        raise Invalid("ob-err-audience")
    return result


def http_url(value: str) -> str:
    """An absolute http(s) URL with a real host — where offers send visitors."""
    value = value.strip()
    if len(value) > 2048:
        raise Invalid("err-too-long", {"max": 2048, "length": len(value)})
    parts = _split(value)
    host = ((parts and parts.hostname) or "").lower()
    if parts is None or parts.scheme not in ("http", "https") or not _HOST.match(host) or \
            any(c.isspace() for c in value):
        raise Invalid("err-url")
    return value


def operator_url(value: str) -> str:
    """Like http_url, but the host may also be an IP address or localhost: URLs the operator sets in the
    environment (OFFER_URL, PUBLIC_BASE_URL, API base URLs), which may point at a machine without a name."""
    value = value.strip()
    parts = _split(value)
    host = ((parts and parts.hostname) or "").lower()
    if parts is None or parts.scheme not in ("http", "https") or len(value) > 2048 or \
            any(c.isspace() for c in value) or not (_HOST.match(host) or host == "localhost" or _is_ip(host)):
        raise Invalid("err-url")
    return value


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def decimal_text(value: str, *, minimum: str = "0", maximum: str = "1000000000", places: int = 2,
                 key: str = "err-amount") -> str:
    """A money/percent amount typed by a person ("1 500,50") → canonical string (stored in form JSON)."""
    text = value.strip().replace("\u00a0", "").replace(" ", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise Invalid(key) from None
    if not number.is_finite() or number < Decimal(minimum) or number > Decimal(maximum):
        raise Invalid(key, {"min": minimum, "max": maximum})
    if -number.as_tuple().exponent > places:  # type: ignore[operator]
        raise Invalid(key, {"min": minimum, "max": maximum})
    return str(number)


def whole_number(value: str, *, minimum: int, maximum: int) -> int:
    text = value.strip()
    # isdigit() is true for "²", which int() refuses; and int() refuses strings of over 4300 digits.
    if not re.fullmatch(r"[0-9]{1,18}", text) or not minimum <= int(text) <= maximum:
        raise Invalid("err-number-range", {"min": minimum, "max": maximum})
    return int(text)


def currency(value: str) -> str:
    text = value.strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", text):
        raise Invalid("err-currency")
    return text


_SUB = re.compile(r"^[A-Za-z0-9_.\-]{1,64}$")


def sub_ids(value: str) -> list[str]:
    """Up to five placement labels (sub1…sub5) separated by spaces: "tg_channel post_42"."""
    items = value.split()
    if not 1 <= len(items) <= 5 or not all(_SUB.match(item) for item in items):
        raise Invalid("err-subids")
    return items
