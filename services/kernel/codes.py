"""Short, unguessable, URL-safe codes (referral codes, link codes, click ids)."""
from __future__ import annotations

import secrets
import string

ALPHABET = string.ascii_letters + string.digits  # no "-"/"_": survives copy-paste and word-selection


def new_code(length: int = 10) -> str:
    # 62^10 ≈ 8e17: guessing a valid code is hopeless, and it stays well inside Telegram's 64-char payload.
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
