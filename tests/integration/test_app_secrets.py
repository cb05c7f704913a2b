"""Secrets generated at first start and kept in the database (IP_HASH_SECRET unset), on SQLite and PostgreSQL;
and the operator's OFFER_URL may name an IP address or localhost."""
from __future__ import annotations

import asyncio
import re

from services.kernel.deps import Deps
from services.kernel.secrets import IP_HASH_SECRET, stored_secret
from services.offers.service import ensure_default_offer


async def test_secret_is_generated_once_and_kept(deps: Deps):
    first = await stored_secret(deps, IP_HASH_SECRET)
    assert re.fullmatch(r"[0-9a-f]{64}", first)  # 256 random bits
    assert await stored_secret(deps, IP_HASH_SECRET) == first
    assert await stored_secret(deps, "other") != first


async def test_processes_starting_together_agree_on_one_secret(deps: Deps):
    values = await asyncio.gather(*(stored_secret(deps, IP_HASH_SECRET) for _ in range(4)))
    assert len(set(values)) == 1


async def test_default_offer_url_may_be_an_ip_or_localhost(deps: Deps):
    offer_id = await ensure_default_offer(deps, "http://127.0.0.1:9000/landing", "Local offer")
    assert offer_id is not None
    assert await ensure_default_offer(deps, "http://127.0.0.1:9000/landing", "Local offer") == offer_id
    # localhost is accepted too; a changed OFFER_URL keeps the default offer (keyed, item 16), it only seeds it
    assert await ensure_default_offer(deps, "http://localhost/x", "Other") == offer_id
