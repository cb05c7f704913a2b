"""Postback parsing: the raw request → its parameters (query and body, one dict) → a checked PostbackRequest.

Everything here needs no database: admit() refuses bad origins, signatures and shapes before any query runs.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from urllib.parse import parse_qsl

from services.kernel.deps import ProgramConfig
from services.tracking.commissions import APPROVED, PENDING, REFUNDED, REJECTED
from services.tracking.signature import SIGNATURE_PARAM, ip_allowed, verify

STATUS_ALIASES = {
    "lead": PENDING, "pending": PENDING,
    "approved": APPROVED, "sale": APPROVED,
    "rejected": REJECTED, "declined": REJECTED,
    "refunded": REFUNDED, "chargeback": REFUNDED,
}
CLICK_ALIASES = ("click_id", "clickid", "subid", "cid")
OFFER_ALIASES = ("offer", "offer_id")
DEFAULT_GOAL = "default"

# Sizes: anything beyond these is a broken integration or an attack, not a sale.
MAX_BODY = 64 * 1024
MAX_PARAMS = 64
MAX_VALUE = 2048
MAX_AMOUNT = Decimal("1000000000")
MAX_LEN = {"click_id": 64, "txid": 128, "promo": 64, "reason": 1000}

_KEY = re.compile(r"[A-Za-z0-9_.\-]{1,64}")
_GOAL = re.compile(r"[A-Za-z0-9_.\-]{1,64}")  # no ":" — it separates the parts of the idempotency key
_DECIMAL = re.compile(r"([+-]?)(\d{1,15})(?:\.(\d{1,8}))?")
_CURRENCY = re.compile(r"[A-Za-z]{3}")
_TIMESTAMP = re.compile(r"\d{1,12}")
TIMESTAMP_PARAM = "ts"


# ---------------------------------------------------------------------------------------------------------------
# Requests, responses, errors

@dataclass(frozen=True)
class RawPostback:
    """The request as received; `query` is the raw (still percent-encoded) query string."""

    method: str
    remote: str | None
    query: str = ""
    body: bytes = b""  # at most MAX_BODY bytes: the adapter stops reading there
    content_type: str = ""
    oversize: bool = False  # the body was longer than MAX_BODY (413)


@dataclass(frozen=True)
class PostbackResponse:
    status: int
    body: dict[str, Any]
    retry_after: int | None = None  # seconds, for a 429


class PostbackError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status, self.code, self.message = status, code, message

    def response(self) -> PostbackResponse:
        return PostbackResponse(self.status, {"error": self.code, "message": self.message})


def bad(code: str, message: str) -> PostbackError:
    return PostbackError(400, code, message)


@dataclass(frozen=True)
class PostbackRequest:
    status: str
    click_id: str | None = None
    promo: str | None = None
    offer_id: int | None = None
    payout: Decimal | None = None
    amount: Decimal | None = None
    currency: str | None = None
    txid: str | None = None
    goal: str = DEFAULT_GOAL
    reason: str | None = None


# ---------------------------------------------------------------------------------------------------------------
# Parsing: raw request → signed parameter dict → PostbackRequest

def _pairs_from_query(query: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(query, keep_blank_values=True, encoding="utf-8", errors="strict",
                         max_num_fields=MAX_PARAMS)
    except UnicodeDecodeError:
        raise bad("bad_encoding", "parameters must be UTF-8") from None
    except ValueError:
        raise bad("too_many_params", f"at most {MAX_PARAMS} parameters") from None


def _pairs_from_body(content_type: str, body: bytes) -> list[tuple[str, str]]:
    if not body.strip():
        return []
    if len(body) > MAX_BODY:
        raise _too_large()
    kind = content_type.split(";", 1)[0].strip().lower()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise bad("bad_encoding", "the body must be UTF-8") from None
    if kind == "application/json":
        try:
            # Numbers stay text exactly as written ("10.50"), which is also what the advertiser signed.
            data = json.loads(text, parse_float=str, parse_int=str, parse_constant=_reject_constant)
        except (ValueError, RecursionError):  # RecursionError: nesting deeper than the parser's stack
            raise bad("bad_body", "the body is not valid JSON (or is nested too deeply)") from None
        if not isinstance(data, dict) or not all(isinstance(v, str) for v in data.values()):
            raise bad("bad_body", "the JSON body must be one object of strings and numbers")
        if len(data) > MAX_PARAMS:
            raise bad("too_many_params", f"at most {MAX_PARAMS} parameters")
        return list(data.items())
    if kind in ("", "application/x-www-form-urlencoded"):
        return _pairs_from_query(text.strip())
    raise bad("unsupported_body", "send the parameters in the query, as a form or as a JSON object")


def _too_large() -> PostbackError:
    return PostbackError(413, "too_large", f"the body exceeds {MAX_BODY} bytes")


def _reject_constant(name: str) -> str:
    raise ValueError(name)  # NaN / Infinity are not amounts


def merge_params(raw: RawPostback) -> dict[str, str]:
    """Query and body merged into one dict. A key given twice with different values is refused: which one the
    signature covered would be a guess."""
    params: dict[str, str] = {}
    for key, value in [*_pairs_from_query(raw.query), *_pairs_from_body(raw.content_type, raw.body)]:
        if not _KEY.fullmatch(key):
            raise bad("bad_param", f"parameter names are 1-64 of A-Z a-z 0-9 _ . - (got {key[:64]!r})")
        if len(value) > MAX_VALUE:
            raise bad("too_large", f"{key} is longer than {MAX_VALUE} characters")
        if params.get(key, value) != value:
            raise bad("duplicate_param", f"{key} is given twice with different values")
        params[key] = value
    if len(params) > MAX_PARAMS:
        raise bad("too_many_params", f"at most {MAX_PARAMS} parameters")
    return params


def _one_of(params: Mapping[str, str], names: tuple[str, ...]) -> str | None:
    values = {params[name].strip() for name in names if params.get(name, "").strip()}
    if len(values) > 1:
        raise bad("duplicate_param", f"{' / '.join(names)} disagree")
    return values.pop() if values else None


def _text(params: Mapping[str, str], name: str) -> str | None:
    value = params.get(name, "").strip()
    limit = MAX_LEN.get(name, MAX_VALUE)
    if len(value) > limit:
        raise bad("too_long", f"{name} is longer than {limit} characters")
    return value or None


def parse_amount(name: str, value: str | None) -> Decimal | None:
    """A plain decimal ("1500", "99.90"): no exponents, no thousands separators, no NaN; ≥ 0 and sane."""
    if value is None:
        return None
    match = _DECIMAL.fullmatch(value)
    if match is None:
        raise bad("bad_decimal", f"{name} must be a plain decimal number like 1500 or 99.90")
    number = Decimal(value)
    if match.group(1) == "-" and number != 0:
        raise bad("negative_amount", f"{name} must not be negative")
    if number > MAX_AMOUNT:
        raise bad("amount_too_large", f"{name} exceeds {MAX_AMOUNT}")
    return abs(number).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)  # the Money column's scale


def parse_request(params: Mapping[str, str]) -> PostbackRequest:
    raw_status = _text(params, "status")
    if raw_status is None:
        raise bad("missing_status", f"status is required: one of {', '.join(STATUS_ALIASES)}")
    status = STATUS_ALIASES.get(raw_status.lower())
    if status is None:
        raise bad("unknown_status", f"status must be one of {', '.join(STATUS_ALIASES)}")
    click_id = _one_of(params, CLICK_ALIASES)
    if click_id is not None and len(click_id) > MAX_LEN["click_id"]:
        raise bad("too_long", "click_id is too long")
    promo = _text(params, "promo")
    if click_id is None and promo is None:
        raise bad("missing_click", "click_id (or clickid / subid / cid) or promo is required")
    offer = _one_of(params, OFFER_ALIASES)
    if offer is not None and not (offer.isascii() and offer.isdigit() and len(offer) <= 18):
        raise bad("bad_offer", "offer must be an offer id (a whole number)")
    currency = _text(params, "currency")
    if currency is not None and not _CURRENCY.fullmatch(currency):
        raise bad("bad_currency", "currency is a three-letter code such as RUB")
    goal = _text(params, "goal") or DEFAULT_GOAL
    if not _GOAL.fullmatch(goal):
        raise bad("bad_goal", "goal is 1-64 of A-Z a-z 0-9 _ . -")
    return PostbackRequest(
        status=status, click_id=click_id, promo=promo, offer_id=int(offer) if offer else None,
        payout=parse_amount("payout", _text(params, "payout")),
        amount=parse_amount("amount", _text(params, "amount")),
        currency=currency.upper() if currency else None, txid=_text(params, "txid"), goal=goal,
        reason=_text(params, "reason"),
    )


def check_timestamp(value: str | None, max_age: int, now: datetime) -> None:
    """`ts` (unix seconds) is optional and signed like any parameter; with a replay window set, a signed request
    from outside it (either way: clocks drift) is refused, so a captured URL stops working after max_age."""
    if value is None:
        return
    if not _TIMESTAMP.fullmatch(value):
        raise bad("bad_ts", "ts is the signing time in whole unix seconds, like 1767225600")
    if max_age > 0 and abs(now.timestamp() - int(value)) > max_age:
        raise PostbackError(403, "expired", f"ts is more than {max_age} seconds away from our clock; "
                                            "send a freshly signed postback")


def admit(config: ProgramConfig, raw: RawPostback, *, now: datetime) -> PostbackRequest:
    """Everything that needs no database: origin, signature, age, shape. Raises PostbackError (403 / 400)."""
    if not ip_allowed(raw.remote, config.postback_ip_allowlist):
        raise PostbackError(403, "ip_not_allowed", "this address may not send postbacks")
    if raw.oversize:
        raise _too_large()
    if not config.postback_secret:
        raise PostbackError(403, "postbacks_disabled", "postbacks are refused until POSTBACK_SECRET is set")
    params = merge_params(raw)
    signature = params.pop(SIGNATURE_PARAM, None)
    if not verify(config.postback_secret, params, signature):
        raise PostbackError(403, "bad_signature", "sig must be the hex HMAC-SHA256 of the sorted, percent-encoded "
                                                  "parameters (see the postback signing rule)")
    check_timestamp(params.get(TIMESTAMP_PARAM), config.postback_max_age_seconds, now)
    return parse_request(params)


