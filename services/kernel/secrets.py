"""Secrets generated at first start and kept in the database, so that operators need not invent them."""
from __future__ import annotations

import secrets

from services.db.app_secrets import AppSecretRepository
from services.kernel.deps import Deps

IP_HASH_SECRET = "ip_hash_secret"


async def stored_secret(deps: Deps, name: str) -> str:
    """The named secret, created (256 random bits, hex) the first time anyone asks for it."""
    async with deps.uow() as uow:
        repo = AppSecretRepository(uow.session)
        value = await repo.get(name)
        if value is None:
            await repo.add_if_absent(name, secrets.token_hex(32), deps.clock.now())
            value = await repo.get(name)
            await uow.commit()
    assert value is not None
    return value
