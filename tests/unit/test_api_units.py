"""API pieces without a database: typed scopes and expiries, bearer headers, the cursor's shape, the in-memory
GCRA admission."""
from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.api import cursor
from services.api.errors import ApiError
from services.api.screens import expires_at, expiry_answer, scopes_answer
from services.api.tokens import bearer
from services.kernel import validation
from services.shared.rate import MemoryAdmission


def test_typed_scopes_and_expiry():
    assert scopes_answer("all") == "all"
    assert scopes_answer("payouts, stats") == "stats:read,payouts:read"  # canonical order
    assert scopes_answer("KPIS;conversions:read") == "conversions:read,kpis:read"
    for bad in ("stats:write", "everything", " , "):
        with pytest.raises(validation.Invalid):
            scopes_answer(bad)
    assert expiry_answer("never") == "never" and expiry_answer("45") == "45"
    assert expiry_answer("2027-01-31") == "2027-01-31"
    for bad in ("3651", "-1", "soon", "31.01.2027"):
        with pytest.raises(validation.Invalid):
            expiry_answer(bad)
    now = datetime(2026, 1, 15, 12, tzinfo=UTC)
    assert expires_at("never", now) is None
    assert expires_at("2027-01-31", now) == datetime(2027, 2, 1, tzinfo=UTC)  # through the whole day


def test_bearer_header():
    assert bearer("Bearer pbk_a_b") == "pbk_a_b" and bearer("bearer  pbk_a_b ") == "pbk_a_b"
    assert bearer(None) is None and bearer("Basic x") is None and bearer("Bearer ") is None


def test_cursor_round_trip_and_refusals():
    filters = {"from": "2026-01-01T00:00:00Z", "status": ["approved"], "limit": 5, "cursor": None}
    at = datetime(2026, 1, 2, 3, 4, 5, 600000, tzinfo=UTC)
    token = cursor.encode_row(at, 42, filters)
    assert cursor.decode_row(token, {**filters, "limit": 50}) == (at, 42)  # page size is not a filter
    for bad, other in ((token, {**filters, "status": ["pending"]}), (token[:-3], filters), ("e30", filters)):
        with pytest.raises(ApiError) as refused:
            cursor.decode_row(bad, other)
        assert refused.value.status == 400 and refused.value.error == "bad_cursor"


async def test_memory_admission_is_gcra_per_key():
    now = [100.0]
    gate = MemoryAdmission(per_minute=60, burst=3, now=lambda: now[0])
    assert [await gate.admit("a") for _ in range(3)] == [0.0, 0.0, 0.0]
    assert await gate.admit("a") == pytest.approx(1.0)  # one a second after the burst
    assert await gate.admit("b") == 0.0  # per key
    now[0] += 1.0
    assert await gate.admit("a") == 0.0 and await gate.admit("a") == pytest.approx(1.0)
    assert await MemoryAdmission(per_minute=0, burst=1).admit("a") == 0.0  # 0: no limit
