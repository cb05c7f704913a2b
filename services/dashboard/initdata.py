"""Telegram Mini App launch data (initData), validated exactly as Telegram documents it:

    data_check_string = "\n".join(sorted(f"{key}={value}" for every received field except hash))
    secret_key = HMAC_SHA256(key="WebAppData", msg=bot_token)
    hash == hex(HMAC_SHA256(key=secret_key, msg=data_check_string))

and auth_date no older than MAX_AGE. Values take part URL-decoded; fields we do not know (signature, chat_*)
are signed like the rest, so they stay in the string.
"""
from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

MAX_AGE = timedelta(hours=24)
CLOCK_SKEW = timedelta(minutes=5)  # a client clock slightly ahead of ours is not an attack
MAX_LENGTH = 8192  # real launch data is ~1 KB; don't hash megabytes for anyone who asks


class InitDataError(ValueError):
    """Why launch data was refused: malformed | unsigned | bad_signature | expired | no_user."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class WebAppUser:
    id: int
    language_code: str | None
    first_name: str | None
    auth_date: datetime


def sign(fields: dict[str, str], bot_token: str) -> str:
    """The hash Telegram puts next to `fields`. Used by validate() and by tests that mint launch data."""
    check = "\n".join(f"{key}={value}" for key, value in sorted(fields.items()))
    secret = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()


def validate(init_data: str, bot_token: str, now: datetime, max_age: timedelta = MAX_AGE) -> WebAppUser:
    """The Telegram user the launch data was signed for; InitDataError otherwise."""
    if not bot_token or not init_data or len(init_data) > MAX_LENGTH:
        raise InitDataError("malformed")
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        raise InitDataError("malformed") from None
    fields = dict(pairs)
    if len(fields) != len(pairs):  # a repeated key: which one was signed is ambiguous — refuse
        raise InitDataError("malformed")
    received = fields.pop("hash", None)
    if not received:
        raise InitDataError("unsigned")
    if not hmac.compare_digest(sign(fields, bot_token), received.lower()):
        raise InitDataError("bad_signature")
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
    except (KeyError, ValueError, OverflowError, OSError):
        raise InitDataError("malformed") from None
    if auth_date < now - max_age or auth_date > now + CLOCK_SKEW:
        raise InitDataError("expired")
    try:
        user = json.loads(fields.get("user", ""))
        user_id = int(user["id"])
    except (ValueError, TypeError, KeyError):
        raise InitDataError("no_user") from None
    return WebAppUser(id=user_id, language_code=user.get("language_code"), first_name=user.get("first_name"),
                      auth_date=auth_date)
