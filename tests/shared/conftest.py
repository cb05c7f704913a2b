"""Fixtures for what processes share: a real Redis (skipped cleanly when unreachable) and PostgreSQL."""
from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator

import pytest

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"  # a database of its own: tests never touch db 0


def redis_url() -> str | None:
    url = os.environ.get("TEST_REDIS_URL", DEFAULT_REDIS_URL)
    return None if url in ("", "off", "none") else url


@pytest.fixture
async def redis_client() -> AsyncIterator[object]:
    url = redis_url()
    if url is None:
        pytest.skip("Redis disabled (TEST_REDIS_URL=off)")
    import redis.asyncio as aioredis

    client = aioredis.from_url(url, socket_connect_timeout=2)
    try:
        await client.ping()
    except Exception as exc:
        await client.aclose()
        pytest.skip(f"Redis not reachable at {url} ({exc!r})")
    yield client
    await client.aclose()


@pytest.fixture
def redis_prefix() -> str:
    """Keys of one test: tests may run against a Redis others use."""
    return f"pbtest:{uuid.uuid4().hex[:8]}:"


@pytest.fixture
def pg_url(pg_database: str | None) -> str:
    if pg_database is None:
        pytest.skip("PostgreSQL not reachable (set TEST_DATABASE_URL)")
    return pg_database
