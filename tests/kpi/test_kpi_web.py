"""The staff KPI page of the web dashboard: sign-in by Telegram launch data or a single-use link from /kpi → Web,
the manager role checked on every request (a partner's cookie or launch data → 403, nothing → 401, a role
revoked after sign-in → 403 at once), the JSON carries the hand-computed figures, and the CSV downloads."""
from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import delete

from bot.web import build_web_app
from services.db.models import StaffRole
from services.kernel.dto import Incoming
from tests.fakes.dashboard import container_for, init_data, seed_partner
from tests.fakes.kpi_data import build

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)
MANAGER, PARTNER = 900, 501


@pytest.fixture
async def client(deps, db_url, services) -> AsyncIterator[TestClient]:
    deps.clock.current = NOW
    deps.config = replace(deps.config, public_base_url="http://127.0.0.1:8080", program_timezone="UTC")
    await build(deps)
    await seed_partner(deps, PARTNER, name="Ann")
    async with TestClient(TestServer(build_web_app(container_for(deps, db_url)))) as test_client:
        yield test_client


def tma(user: int) -> dict[str, str]:
    return {"Authorization": f"tma {init_data(user, NOW - timedelta(minutes=1))}"}


async def _staff_link(services, user: int = MANAGER, messenger: str = "telegram") -> str:
    reply = await services.staff_dashboard.link(Incoming(messenger, str(user), str(user)))
    return reply.screens[0].args["url"]


async def _post(client: TestClient, url: str):
    parts = urlsplit(url)
    shown = await client.get(f"{parts.path}?{parts.query}")
    if shown.status != 200:
        return shown
    token = re.search(r'name="t" value="([^"]+)"', await shown.text()).group(1)
    return await client.post("/app/kpi/login", data={"t": token}, allow_redirects=False)


@pytest.mark.parametrize("path", ["/app/api/kpi?period=lastmonth", "/app/api/kpi.csv?period=lastmonth"])
async def test_nobody_gets_401_and_partners_get_403(client, services, path):
    assert (await client.get(path)).status == 401
    assert (await client.get(path, headers={"Authorization": "tma forged"})).status == 401
    partner = await client.get(path, headers=tma(PARTNER))  # a partner's valid launch data
    assert partner.status == 403 and (await partner.json())["reason"] == "not_staff"
    # A partner's dashboard session (the /dashboard link) is no staff session either.
    reply = await services.dashboard.link(Incoming("telegram", str(PARTNER), str(PARTNER)))
    parts = urlsplit(reply.screens[0].args["url"])
    page = await (await client.get(f"{parts.path}?{parts.query}")).text()
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    assert (await client.post("/app/login", data={"t": token}, allow_redirects=False)).status == 303
    assert (await client.get(path)).status == 403
    # Nor is a partner given a staff link.
    assert (await services.staff_dashboard.link(Incoming("telegram", str(PARTNER), str(PARTNER)))).screens[0] \
        .text_key == "err-not-allowed"


async def test_manager_in_the_mini_app_sees_the_figures(client):
    response = await client.get("/app/api/kpi?period=lastmonth", headers=tma(MANAGER))
    assert response.status == 200 and response.headers["Cache-Control"] == "no-store, private"
    data = await response.json()
    assert data["period"]["from"] == "2026-11-01" and data["previous_period"]["to"] == "2026-10-31"
    metrics = data["metrics"]
    assert metrics["clicks"] == {"kind": "count", "value": 7, "previous": 4, "change_percent": "75.0"}
    assert metrics["commissions"]["value"] == {"RUB": "180.5000", "USD": "10.0000"}
    assert metrics["commissions"]["change_percent"] == {"RUB": "100.6", "USD": None}
    assert metrics["csat"]["previous"] is None and metrics["retention"]["value"] == "66.67"
    assert data["texts"]["retention"] == "66.67 % (▲ +33.3 %)" and data["labels"]["retention"] == "Retention, %"
    assert [p["label"] for p in data["top_partners"]] == ["Alice", "Bob", "Dan"]
    offer = await (await client.get(f"/app/api/kpi?period=lastmonth&offer={data['offers'][1]['id']}",
                                    headers=tma(MANAGER))).json()
    assert offer["metrics"]["clicks"]["value"] == 1 and offer["offer_id"] == data["offers"][1]["id"]
    for bad in ("period=all", "period=lastmonth&offer=x", "period=1y"):
        assert (await client.get(f"/app/api/kpi?{bad}", headers=tma(MANAGER))).status == 400


async def test_link_opens_a_session_once_and_a_revoked_role_ends_it(client, services, deps):
    url = await _staff_link(services)
    assert "/app/kpi/login?t=telegram.900." in url
    parts = urlsplit(url)
    for _ in range(2):  # link previews look without spending
        assert (await client.get(f"{parts.path}?{parts.query}")).status == 200
    signed_in = await _post(client, url)
    assert signed_in.status == 303 and signed_in.headers["Location"] == "/app/kpi"
    cookie = signed_in.cookies["pb_staff"]
    assert cookie["httponly"] and cookie["path"] == "/app" and cookie["samesite"] == "Lax"
    assert (await _post(client, url)).status == 403  # used
    response = await client.get("/app/api/kpi.csv?period=lastmonth", headers={"Accept-Language": "en-GB"})
    assert response.status == 200 and response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="kpi-lastmonth.csv"' in response.headers["Content-Disposition"]
    table = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert ["Clicks", "", "7", "4", "75.0"] in table
    page = await client.get("/app/kpi")
    assert page.status == 200 and "/app/static/kpi.js?v=" in await page.text()
    # An admin revokes the role: the very next request is refused.
    async with deps.uow() as uow:
        await uow.session.execute(delete(StaffRole).where(StaffRole.external_id == str(MANAGER)))
        await uow.commit()
    refused = await client.get("/app/api/kpi?period=7d")
    assert refused.status == 403 and (await refused.json())["reason"] == "not_staff"


async def test_expired_or_forged_links_and_cookies(client, services, deps):
    url = await _staff_link(services, 800, "vk")  # VK managers sign in by link too
    deps.clock.current = NOW + timedelta(minutes=16)
    assert (await _post(client, url)).status == 403
    deps.clock.current = NOW
    forged = url.replace("vk.800.", "vk.801.")
    assert (await _post(client, forged)).status == 403
    client.session.cookie_jar.update_cookies({"pb_staff": "telegram.900.9999999999.x.bad"})
    assert (await client.get("/app/api/kpi?period=7d")).status == 401
