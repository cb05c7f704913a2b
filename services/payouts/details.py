"""Payout details per method: cleaned, validated (check digits wherever the format has them) and masked.

The value typed by a partner only lives in a Details for as long as it takes to encrypt it; everything shown
(bot, staff queue, CSV) uses `masked`. Validation errors never echo the value back.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from stdnum import iban, luhn
from stdnum.exceptions import InvalidChecksum, ValidationError

from services.kernel import validation
from services.kernel.validation import Invalid
from services.payouts.addresses import crypto_kind

METHODS = ("card", "account", "crypto", "ewallet")
MAX_TEXT = 128
MASK = "••••"

_WEBMONEY = re.compile(r"[ZEBRUYCDX]\d{12}")
_YOOMONEY = re.compile(r"4100\d{7,16}")
_SEPARATORS = re.compile(r"[\s\-]+")
_IBAN = re.compile(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}")


@dataclass(frozen=True)
class Details:
    method: str
    kind: str  # visa, mastercard, mir, iban, btc, eth, tron, yoomoney, webmoney, email…
    value: str = field(repr=False)  # never in a repr, a log line or an exception
    masked: str


def mask(value: str, kind: str) -> str:
    """"•••• 4242" — the last four characters only; an e-mail wallet keeps its domain instead."""
    if kind == "email":
        return f"{MASK} @{value.rpartition('@')[2]}"[:32]
    return f"{MASK} {value[-4:]}"


def _card_brand(digits: str) -> str:
    first2, first4 = int(digits[:2]), int(digits[:4])
    if 2200 <= first4 <= 2204:
        return "mir"
    if digits[0] == "4":
        return "visa"
    if 51 <= first2 <= 55 or 2221 <= first4 <= 2720:
        return "mastercard"
    if first2 in (34, 37):
        return "amex"
    if first2 == 62:
        return "unionpay"
    return "card"


def card(text: str) -> Details:
    digits = _SEPARATORS.sub("", text)
    if not digits.isascii() or not digits.isdigit() or not 13 <= len(digits) <= 19 or digits[0] == "0":
        raise Invalid("pay-err-card", {"problem": "format"})
    if not luhn.is_valid(digits):
        raise Invalid("pay-err-card", {"problem": "checksum"})
    brand = _card_brand(digits)
    return Details("card", brand, digits, mask(digits, brand))


def account(text: str) -> Details:
    if not _IBAN.fullmatch(iban.compact(text)):
        raise Invalid("pay-err-account", {"problem": "format"})
    try:
        value = iban.validate(text)  # compacts, upper-cases, checks the country's length and format, mod 97
    except InvalidChecksum:
        raise Invalid("pay-err-account", {"problem": "checksum"}) from None
    except ValidationError:
        raise Invalid("pay-err-account", {"problem": "format"}) from None
    return Details("account", "iban", value, mask(value, "iban"))


def crypto(text: str) -> Details:
    value = text.strip()
    kind = crypto_kind(value)
    if kind is None:
        raise Invalid("pay-err-crypto")
    return Details("crypto", kind, value, mask(value, kind))


def ewallet(text: str) -> Details:
    value = _SEPARATORS.sub("", text)
    if _YOOMONEY.fullmatch(value):
        return Details("ewallet", "yoomoney", value, mask(value, "yoomoney"))
    if _WEBMONEY.fullmatch(value.upper()):
        value = value.upper()
        return Details("ewallet", "webmoney", value, mask(value, "webmoney"))
    if "@" in value:  # PayPal, Payoneer, Wise: the account is an e-mail address
        try:
            value = validation.email(value)
        except Invalid:
            raise Invalid("pay-err-ewallet") from None
        return Details("ewallet", "email", value, mask(value, "email"))
    raise Invalid("pay-err-ewallet")


PARSERS = {"card": card, "account": account, "crypto": crypto, "ewallet": ewallet}


def parse(method: str, text: str) -> Details:
    if method not in PARSERS:
        raise ValueError(f"unknown payout method {method!r}")
    if len(text) > MAX_TEXT:
        raise Invalid("err-too-long", {"max": MAX_TEXT, "length": len(text)})
    return PARSERS[method](text)
