"""Opaque page cursors: base64url of a small JSON naming the last row's position and the filters it was made
under. A cursor used with other filters, or edited, is refused (400) instead of silently skipping rows."""
from __future__ import annotations

import base64
import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from services.api.errors import ApiError
from services.kernel.keyset import Position


def fingerprint(filters: dict[str, Any]) -> str:
    """The filters a cursor belongs to (everything but the cursor and the page size)."""
    text = json.dumps({k: v for k, v in filters.items() if k not in ("cursor", "limit")}, sort_keys=True,
                      default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def encode(position: Any, filters: dict[str, Any]) -> str:
    raw = json.dumps({"p": position, "f": fingerprint(filters)}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None, filters: dict[str, Any]) -> Any:
    """The position a cursor carries (None without a cursor); ApiError 400 for a bad or foreign one."""
    if cursor is None:
        return None
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        position, made_for = data["p"], data["f"]
    except (ValueError, TypeError, KeyError):
        raise ApiError(400, "bad_cursor", "the cursor is not one this API gave out") from None
    if made_for != fingerprint(filters):
        raise ApiError(400, "bad_cursor", "the cursor belongs to a request with other filters")
    return position


def encode_row(at: datetime, ident: int, filters: dict[str, Any]) -> str:
    return encode([at.astimezone(UTC).isoformat(), ident], filters)


def decode_row(cursor: str | None, filters: dict[str, Any]) -> Position | None:
    position = decode(cursor, filters)
    if position is None:
        return None
    try:
        at, ident = position
        parsed = datetime.fromisoformat(at)
        if parsed.tzinfo is None or not isinstance(ident, int):
            raise ValueError
    except (ValueError, TypeError):
        raise ApiError(400, "bad_cursor", "the cursor is not one this API gave out") from None
    return parsed, ident
