"""GET /api/v1/kpis: the KPI use case of /kpi (services/kpi) over whole UTC days, as JSON — every metric with its
previous value and change, money per currency as decimal strings, top offers named and top partners not."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web import build_web_app
from services.kpi.figures import METRICS
from services.kpi.queries import program_kpis
from services.stats.periods import between
from tests.api.helpers import container_for, get, issue
from tests.fakes.dashboard import seed_partner


@pytest.fixture
async def client(deps, db_url, services) -> AsyncIterator[TestClient]:
    async with TestClient(TestServer(build_web_app(container_for(deps, db_url)))) as test_client:
        yield test_client


async def test_kpis_are_the_kpi_use_case_as_json(client, deps, services, clock):
    ann = await seed_partner(deps, 501, name="Ann", links=("Channel",), clicks_per_link=6,
                             sales=(("approved", "100"), ("pending", "50.25")))
    await seed_partner(deps, 502, name="Bob", links=("Shop",), clicks_per_link=3, sales=(("approved", "9.5"),))
    _, token = await issue(deps, ("kpis:read",))
    today = clock.now().date()
    first, last = today - timedelta(days=6), today
    status, body, _ = await get(client, "/api/v1/kpis", token, **{"from": first.isoformat(),
                                                                     "to": (last + timedelta(days=1)).isoformat()})
    assert status == 200, body
    async with deps.uow(readonly=True) as uow:
        report = await program_kpis(uow, between(first, last, "UTC"))
    assert body["period"] == {"from": f"{first}T00:00:00Z", "to": f"{last + timedelta(days=1)}T00:00:00Z"}
    assert body["previous_period"]["to"] == body["period"]["from"]
    assert [m["name"] for m in body["metrics"]] == [name for name, _ in METRICS]
    metrics = {m["name"]: m for m in body["metrics"]}
    expected = {m.name: m for m in report.metrics}
    assert metrics["active_partners"]["value"] == expected["active_partners"].value == 2
    assert metrics["clicks"]["value"] == expected["clicks"].value
    assert metrics["commissions"]["value"] == [{"amount": "159.75", "currency": "RUB"}]
    assert metrics["commissions"]["change_percent"] is None and "RUB" in metrics["commissions"]["change_by_currency"]
    for name, kind in METRICS:  # null where there is no value (a ratio over zero), never an error
        value = expected[name].value
        if kind == "percent" and value is not None:
            assert metrics[name]["value"] == str(value), name
        if value is None:
            assert metrics[name]["value"] is None, name
    assert {row["label"] for row in body["top_partners"]} == {None}  # no names in this API
    assert ann.partner_id in {row["id"] for row in body["top_partners"]}
    assert body["top_offers"][0]["label"] == "Shop"
    assert len(body["daily"]) == 7 and body["daily"][-1]["day"] == last.isoformat()


async def test_kpi_periods_and_scope(client, deps, services, clock):
    _, stats_only = await issue(deps, ("stats:read",))
    assert (await get(client, "/api/v1/kpis", stats_only))[0] == 403
    _, token = await issue(deps, ("kpis:read",))
    status, body, _ = await get(client, "/api/v1/kpis", token)  # default: the last 30 days, empty
    assert status == 200 and len(body["daily"]) == 30 and body["top_partners"] == []
    status, body, _ = await get(client, "/api/v1/kpis", token, **{"from": "2026-01-01T10:00:00Z"})
    assert (status, body["error"]) == (400, "bad_filter") and "whole UTC day" in body["detail"]
    status, body, _ = await get(client, "/api/v1/kpis", token, **{"from": "2024-01-01", "to": "2026-01-01"})
    assert status == 400
