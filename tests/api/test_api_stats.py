"""GET /api/v1/stats: the same figures as the chat and the dashboard (services/stats/queries.partner_stats), per
partner and day / link / offer / sub-id, paged by (partner, key) without gaps or repeats, empty rows left out."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web import build_web_app
from services.api import use_cases
from services.stats.periods import Period
from services.stats.queries import partner_stats
from services.stats.rollups import roll_up
from tests.api.helpers import container_for, get, issue, pages
from tests.fakes.dashboard import seed_partner


@pytest.fixture
async def client(deps, db_url, services) -> AsyncIterator[TestClient]:
    container = container_for(deps, db_url, api_rate_per_minute=0)  # no limit: pages are many here
    async with TestClient(TestServer(build_web_app(container))) as test_client:
        yield test_client


@pytest.fixture
async def world(deps, services):
    ann = await seed_partner(deps, 501, name="Ann", links=("Channel", "Blog"), clicks_per_link=4, days_back=3,
                             sales=(("approved", "100"), ("pending", "50.25"), ("rejected", "70")))
    bob = await seed_partner(deps, 502, name="Bob", links=("Shop",), clicks_per_link=9, sales=(("approved", "9"),))
    idle = await seed_partner(deps, 503, name="Idle", links=(), sales=())
    await roll_up(deps)  # most clicks from the rollup, the last hours raw: both paths feed the rows
    return ann, bob, idle


async def test_rows_per_partner_and_group_match_the_stats_queries(client, deps, world, clock):
    ann, bob, idle = world
    _, token = await issue(deps, ("stats:read",))
    today = clock.now().replace(hour=0, minute=0, second=0, microsecond=0)
    start, end = today - timedelta(days=6), today + timedelta(days=1)
    for group in ("day", "link", "offer", "sub1", "partner"):
        status, body, _ = await get(client, "/api/v1/stats", token, group_by=group, limit=1000)
        assert status == 200, body
        assert body["period"] == {"from": start.strftime("%Y-%m-%dT%H:%M:%SZ"), "to": end.strftime(
            "%Y-%m-%dT%H:%M:%SZ")} and body["next_cursor"] is None
        rows = body["data"]
        assert idle.partner_id not in {r["partner_id"] for r in rows}  # nothing happened: no rows
        async with deps.uow(readonly=True) as uow:
            for seeded in (ann, bob):
                report = await partner_stats(uow, seeded.partner_id, Period(start, end, "UTC"),
                                             "offer" if group == "partner" else group)
                mine = [r for r in rows if r["partner_id"] == seeded.partner_id]
                assert sum(r["clicks"] for r in mine) == report.totals.clicks > 0
                assert sum(r["conversions"]["approved"] for r in mine) == report.totals.conversions["approved"]
                if group != "partner":
                    expected = {r.key: r.figures.to_dict() for r in report.rows if r.figures.clicks or
                                any(r.figures.conversions.values())}
                    assert {r["key"]: r["clicks"] for r in mine} == {k: v["clicks"] for k, v in expected.items()}
                    assert [r["key"] for r in mine] == sorted(r["key"] for r in mine)
    status, body, _ = await get(client, "/api/v1/stats", token, group_by="partner", partner_id=str(ann.partner_id))
    [row] = body["data"]
    assert row["key"] == str(ann.partner_id) and row["conversions"] == {
        "pending": 1, "approved": 1, "rejected": 1, "refunded": 0}
    assert row["earnings"] == [{"amount": "150.25", "currency": "RUB"}] and row["cr"] != "0.00"
    assert row["epc"] == [{"amount": f"{150.25 / row['clicks']:.2f}", "currency": "RUB"}]


async def test_stats_pages_have_no_gaps_or_repeats(client, deps, world, monkeypatch):
    _, token = await issue(deps, ("stats:read",))
    for group in ("day", "link"):
        monkeypatch.setattr(use_cases, "STATS_PARTNERS_PER_PAGE", 50)
        whole = (await get(client, "/api/v1/stats", token, group_by=group, limit=1000))[1]["data"]
        assert {r["partner_id"] for r in whole} == {world[0].partner_id, world[1].partner_id}
        monkeypatch.setattr(use_cases, "STATS_PARTNERS_PER_PAGE", 1)  # pages end at partner boundaries too
        assert await pages(client, "/api/v1/stats", token, group_by=group, limit=1000) == whole
        for limit in (1, 2, 3):
            paged = await pages(client, "/api/v1/stats", token, group_by=group, limit=limit)
            assert paged == whole, (group, limit)


async def test_stats_periods(client, deps, world, clock):
    _, token = await issue(deps, ("stats:read",))
    day = (clock.now() - timedelta(days=1)).date()
    status, body, _ = await get(client, "/api/v1/stats", token, group_by="day",
                                **{"from": day.isoformat(), "to": (day + timedelta(days=1)).isoformat()})
    assert status == 200 and {r["key"] for r in body["data"]} == {day.isoformat()}
    status, body, _ = await get(client, "/api/v1/stats", token, **{"from": "2020-01-01", "to": "2020-01-02"})
    assert status == 200 and body["data"] == []
