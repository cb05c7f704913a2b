"""Encryption of payout details at rest: Fernet (AES-128-CBC + HMAC-SHA256, authenticated) with a key derived
from PAYOUT_DETAILS_KEY or, when that is unset, from a secret generated once and kept in app_secrets.

A stolen database without the key (or a backup of only the data) yields no card numbers; the key derivation
keeps the operator's setting a plain random string like IP_HASH_SECRET."""
from __future__ import annotations

import asyncio
import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from services.kernel.deps import Deps
from services.kernel.secrets import stored_secret

PAYOUT_DETAILS_KEY = "payout_details_key"  # app_secrets row used when PAYOUT_DETAILS_KEY is unset


def fernet_for(secret: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"payout-details/v1").derive(secret.encode())
    return Fernet(base64.urlsafe_b64encode(key))


class DetailsCipher:
    """Built lazily on first use: the configured key, else the stored one (created the first time)."""

    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self._fernet: Fernet | None = None
        self._lock = asyncio.Lock()

    async def ready(self) -> None:
        """Loads the key. Call it outside any unit of work: creating the stored key takes its own transaction,
        which on SQLite would wait forever behind the caller's write lock."""
        if self._fernet is None:
            async with self._lock:
                if self._fernet is None:
                    secret = self.deps.config.payout_details_key or await stored_secret(self.deps, PAYOUT_DETAILS_KEY)
                    self._fernet = fernet_for(secret)

    def _loaded(self) -> Fernet:
        if self._fernet is None:
            raise RuntimeError("DetailsCipher.ready() was not awaited")
        return self._fernet

    def encrypt(self, value: str) -> str:
        return self._loaded().encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._loaded().decrypt(token.encode()).decode()
        except InvalidToken:
            raise ValueError("payout details cannot be decrypted: PAYOUT_DETAILS_KEY changed?") from None
