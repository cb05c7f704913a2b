"""The dashboard over HTTP through the real aiohttp app: the page, Mini App and cookie sign-in, and that every
endpoint shows a partner their own figures only — whatever ids the request carries."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.web import CONTAINER, build_web_app
from bot.web_dashboard import COOKIE
from services.kernel.dto import Incoming
from services.stats.periods import parse_period
from services.stats.queries import partner_stats
from tests.fakes.dashboard import container_for, init_data, seed_partner

ENDPOINTS = ("/app/api/stats?period=30d&group=link", "/app/api/export?period=30d&group=link")


@pytest.fixture
async def world(deps):
    ann = await seed_partner(deps, 501, name="Ann", links=("Channel", "Blog"), clicks_per_link=4,
                             sales=(("approved", "100"), ("pending", "50"), ("rejected", "70")))
    bob = await seed_partner(deps, 502, name="Bob", links=("BobSecretLink",), clicks_per_link=9,
                             sales=(("approved", "999"),))
    applied = await seed_partner(deps, 503, name="Cid", status="applied", links=(), sales=())
    return ann, bob, applied


@pytest.fixture
async def client(deps, db_url) -> AsyncIterator[TestClient]:
    # Plain http, as the test server speaks: a Secure cookie would never be sent back to it.
    deps.config = replace(deps.config, public_base_url="http://127.0.0.1:8080")
    app = build_web_app(container_for(deps, db_url))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def tma(user: int, deps, **kwargs) -> dict[str, str]:
    return {"Authorization": f"tma {init_data(user, deps.clock.now() - timedelta(minutes=1), **kwargs)}"}


async def follow_link(client: TestClient, url: str, **headers: str):
    """What a browser does with a /dashboard link: GET shows a form that app.js posts at once."""
    parts = urlsplit(url)
    shown = await client.get(f"{parts.path}?{parts.query}", headers=headers)
    if shown.status != 200:
        return shown
    page = await shown.text()
    assert '<form id="login-form" method="post" action="/app/login">' in page
    token = re.search(r'name="t" value="([^"]+)"', page).group(1)
    return await client.post("/app/login", data={"t": token}, headers=headers, allow_redirects=False)


async def sign_in(client: TestClient, services, user: int) -> None:
    """/dashboard in the bot, then the link: the client ends up holding the session cookie."""
    reply = await services.dashboard.link(Incoming("telegram", str(user), str(user), text="/dashboard"))
    response = await follow_link(client, reply.screens[0].args["url"])
    assert response.status == 303 and response.headers["Location"] == "/app"


async def test_page_is_self_contained_and_localized(client):
    response = await client.get("/app", headers={"Accept-Language": "ru-RU,ru;q=0.9"})
    page = await response.text()
    assert response.status == 200 and 'lang="ru"' in page
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    # Only our own scripts and styles; Telegram's script is fetched by app.js, and only inside Telegram.
    external = re.findall(r'(?:src|href)="(https?://[^"]+)"', page)
    assert external == []
    boot = json.loads(re.search(r'<script type="application/json" id="boot">(.*?)</script>', page, re.S).group(1))
    assert boot["strings"]["ru"]["auth-title"] == "Откройте дашборд из бота"
    assert set(boot["strings"]["ru"]) == set(boot["strings"]["en"])
    for asset in re.findall(r'(?:src|href)="(/app/static/[^"]+)"', page):
        assert (await client.get(asset)).status == 200
    assert (await client.get("/app/static/../../bot/config.py")).status == 404


@pytest.mark.parametrize("path", ENDPOINTS)
async def test_no_or_bad_credentials_get_401_and_no_data(client, deps, world, path):
    ann, _, _ = world
    for headers in ({}, {"Authorization": "Bearer x"}, {"Authorization": "tma "},
                    tma(ann.tg_user, deps, bot_token="43:OTHER-BOT")):
        response = await client.get(path, headers=headers)
        body = await response.json()
        assert response.status == 401 and set(body) == {"error", "reason", "locale"}, headers
    client.session.cookie_jar.update_cookies({COOKIE: "1.9999999999.abc.forged"})
    assert (await client.get(path)).status == 401


async def test_expired_launch_data_is_refused(client, deps, world):
    ann, _, _ = world
    old = init_data(ann.tg_user, deps.clock.now() - timedelta(hours=25))
    response = await client.get(ENDPOINTS[0], headers={"Authorization": f"tma {old}"})
    assert response.status == 401 and (await response.json())["reason"] == "expired"


async def test_signed_in_but_not_an_approved_partner_gets_403(client, deps, world):
    _, _, applied = world
    assert (await client.get(ENDPOINTS[0], headers=tma(applied.tg_user, deps))).status == 403
    assert (await client.get(ENDPOINTS[0], headers=tma(999, deps))).status == 403  # no partner at all


async def test_mini_app_sees_the_figures_the_chat_sees(client, deps, world):
    ann, _, _ = world
    response = await client.get("/app/api/stats?period=7d&group=link", headers=tma(ann.tg_user, deps))
    data = await response.json()
    assert response.status == 200 and response.headers["Cache-Control"].startswith("no-store")
    async with deps.uow() as uow:
        period, _ = parse_period("7d", "UTC", deps.clock.now())
        report = await partner_stats(uow, ann.partner_id, period, "day")
    totals = data["totals"]
    assert (totals["clicks"], totals["unique_clicks"]) == (report.totals.clicks, report.totals.unique_clicks)
    assert totals["conversions"]["approved"] == report.totals.conversions["approved"] == 1
    assert [m["text"] for m in totals["earnings"]] == ["150.00 RUB"]
    assert data["series"]["clicks"] == [row.figures.clicks for row in report.rows]
    assert {row["label"] for row in data["table"]["rows"]} == {"Channel", "Blog"}
    assert data["partner"]["name"] == "Ann" and data["period"]["tz"] == "UTC"


async def test_every_endpoint_ignores_ids_from_the_request(client, deps, world):
    """Ann asks with Bob's partner id and link ids in every parameter she can think of: she gets her own data."""
    ann, bob, _ = world
    nosy = f"&partner_id={bob.partner_id}&partner={bob.partner_id}&link={bob.link_ids[0]}" \
           f"&link_id={bob.link_ids[0]}&user={bob.tg_user}"
    for headers in (tma(ann.tg_user, deps), {}):
        if not headers:
            await sign_in(client, client.app[CONTAINER].services, ann.tg_user)
        plain = await (await client.get("/app/api/stats?period=30d&group=link", headers=headers)).json()
        probed = await (await client.get("/app/api/stats?period=30d&group=link" + nosy, headers=headers)).json()
        assert probed["totals"] == plain["totals"] and probed["table"] == plain["table"]
        assert {int(row["key"]) for row in probed["table"]["rows"]} == set(ann.link_ids)
        assert "BobSecretLink" not in json.dumps(probed)
        export = await (await client.get("/app/api/export?period=30d&group=link" + nosy, headers=headers)).json()
        csv_text = (await (await client.get(urlsplit(export["url"]).path + "?" + urlsplit(export["url"]).query))
                    .read()).decode("utf-8-sig")
        assert "Channel" in csv_text and "BobSecretLink" not in csv_text


async def test_bobs_session_shows_bob_and_a_forged_cookie_shows_nobody(client, deps, world):
    ann, bob, _ = world
    services = client.app[CONTAINER].services
    await sign_in(client, services, bob.tg_user)
    data = await (await client.get("/app/api/stats?period=30d&group=link")).json()
    assert {row["label"] for row in data["table"]["rows"]} == {"BobSecretLink"}
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/app"))[COOKIE].value
    _, expires, nonce, mac = cookie.split(".")
    client.session.cookie_jar.clear()
    client.session.cookie_jar.update_cookies({COOKIE: f"{ann.partner_id}.{expires}.{nonce}.{mac}"})
    assert (await client.get("/app/api/stats")).status == 401


async def test_sign_in_link_sets_a_strict_cookie_once(deps, db_url, world):
    ann, _, _ = world
    deps.config = replace(deps.config, public_base_url="https://partners.example.com")
    app = build_web_app(container_for(deps, db_url))
    async with TestClient(TestServer(app)) as client:
        reply = await app[CONTAINER].services.dashboard.link(
            Incoming("telegram", str(ann.tg_user), str(ann.tg_user)))
        link = reply.screens[0].args["url"]
        assert urlsplit(link).path == "/app/login" and reply.screens[0].buttons[0][0].url == link
        first = await follow_link(client, link)
        assert first.status == 303 and first.headers["Location"] == "/app"
        cookie = first.headers["Set-Cookie"]
        for attribute in ("HttpOnly", "SameSite=Lax", "Secure", "Path=/app", "Max-Age=604800"):
            assert attribute in cookie
        again = await follow_link(client, link)
        assert again.status == 410 and "Set-Cookie" not in again.headers
        text = await again.text()
        assert "was already used" in text and "/dashboard" in text  # Ann's language (en), ask the bot again
        token = parse_qs(urlsplit(link).query)["t"][0]
        replayed = await client.post("/app/login", data={"t": token}, allow_redirects=False)
        assert replayed.status == 410 and "Set-Cookie" not in replayed.headers
        tampered = await follow_link(client, "/app/login?t=" + token.replace(str(ann.partner_id), "9", 1),
                                     **{"Accept-Language": "ru"})
        assert tampered.status == 403 and "Отправьте боту /dashboard" in await tampered.text()


async def test_link_previews_do_not_spend_the_link(client, deps, world):
    """Telegram and VK fetch a URL to draw its preview (no scripts run): only the partner's own click counts."""
    ann, _, _ = world
    services = client.app[CONTAINER].services
    reply = await services.dashboard.link(Incoming("telegram", str(ann.tg_user), str(ann.tg_user)))
    url = urlsplit(reply.screens[0].args["url"])
    for _ in range(3):
        preview = await client.get(f"{url.path}?{url.query}", headers={"User-Agent": "TelegramBot (like TwitterBot)"})
        assert preview.status == 200 and "Set-Cookie" not in preview.headers
    assert (await follow_link(client, reply.screens[0].args["url"])).status == 303


async def test_expired_sign_in_link_says_ask_the_bot_again(client, deps, world, clock):
    ann, _, _ = world
    services = client.app[CONTAINER].services
    reply = await services.dashboard.link(Incoming("telegram", str(ann.tg_user), str(ann.tg_user)))
    url = urlsplit(reply.screens[0].args["url"])
    clock.advance(minutes=16)
    for response in (await client.get(f"{url.path}?{url.query}"),
                     await client.post("/app/login", data={"t": parse_qs(url.query)["t"][0]},
                                       allow_redirects=False)):
        assert response.status == 410 and "Send /dashboard" in await response.text()
        assert "Set-Cookie" not in response.headers


async def test_csv_download_links_are_signed_and_expire(client, deps, world, clock):
    ann, bob, _ = world
    export = await (await client.get("/app/api/export?period=30d&group=day", headers=tma(ann.tg_user, deps))).json()
    url = urlsplit(export["url"])
    response = await client.get(f"{url.path}?{url.query}")
    assert response.status == 200 and response.headers["Content-Disposition"].endswith('stats-30d-day.csv"')
    rows = list(csv.reader(io.StringIO((await response.read()).decode("utf-8-sig"))))
    assert len(rows) > 1
    token = parse_qs(url.query)["t"][0]
    swapped = token.replace(f"{ann.partner_id}.", f"{bob.partner_id}.", 1)
    assert (await client.get("/app/export.csv?t=" + swapped)).status == 410
    clock.advance(minutes=11)
    assert (await client.get(f"{url.path}?{url.query}")).status == 410


async def test_bad_period_or_group_is_a_400(client, deps, world):
    ann, _, _ = world
    for query in ("period=99x", "group=password", "period=7d&group=sub9"):
        assert (await client.get(f"/app/api/stats?{query}", headers=tma(ann.tg_user, deps))).status == 400
