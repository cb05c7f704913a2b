"""/postback under attack and at the edges, through the real aiohttp app on SQLite and PostgreSQL: the injective
signature, the signed timestamp, whole bodies read with a cap, JSON nesting, short logs of refusals, per-source
rate limits and the postback_log retention job."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.scheduler import build_scheduler
from bot.web import build_web_app
from bot.web_postbacks import add_postback_routes
from services.db.tracking_models import Conversion, PostbackLog
from services.kernel.deps import Deps
from services.tracking.postback_log import REFUSED_KEEP, RefusalLimiter
from services.tracking.postback_parse import MAX_BODY
from tests.integration.test_postbacks import (  # noqa: F401  (fixtures)
    add,
    build_world,
    call,
    client,
    container_for,
    postback,
    program_config,
    rows,
    signed,
)

LIMIT = 3


@pytest.fixture
async def limited(deps: Deps, db_url: str) -> AsyncIterator[TestClient]:
    """The app with a small refusal limit (the default allows REFUSED_LIMIT a minute)."""
    container = container_for(deps, db_url)
    app = build_web_app(container)
    add_postback_routes(app, container, limiter=RefusalLimiter(limit=LIMIT, window=60))
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


# ---- item 1: the signature ------------------------------------------------------------------------------------

async def test_a_value_holding_a_pair_cannot_mint_a_second_conversion(client, deps):
    """{txid: "T", uid: "77"} and {txid: "T&uid=77"} signed the same text: one captured URL gave a new txid."""
    world = await build_world(deps)
    genuine = signed(click_id=world.click_id, status="approved", txid="T", uid="77")
    assert (await call(client, genuine))[0] == 200
    forged = {"click_id": world.click_id, "status": "approved", "txid": "T&uid=77", "sig": genuine["sig"]}
    status, body = await call(client, forged)
    assert (status, body["error"]) == (403, "bad_signature")
    assert [c.txid for c in await rows(deps, Conversion)] == ["T"]


async def test_a_signed_ts_bounds_replays_when_the_window_is_set(client, deps, clock):
    world = await build_world(deps)
    now = int(clock.now().timestamp())
    lead = {"click_id": world.click_id, "status": "lead", "txid": "T-ts"}
    assert (await postback(client, **lead, ts=str(now - 86_400)))[0] == 200  # off by default: ts is only signed

    deps.config = replace(deps.config, postback_max_age_seconds=300)
    sale = {**lead, "status": "sale"}
    for stale in (now - 301, now + 301):  # clocks drift both ways
        status, body = await postback(client, **sale, ts=str(stale))
        assert (status, body["error"]) == (403, "expired") and "300 seconds" in body["message"]
    for malformed in ("soon", "1767225600000", "-5", "1.5"):
        status, body = await postback(client, **sale, ts=malformed)
        assert (status, body["error"]) == (400, "bad_ts")
    moved = {**signed(**sale, ts=str(now - 301)), "ts": str(now)}  # the age is signed: editing it breaks sig
    assert (await call(client, moved))[1]["error"] == "bad_signature"
    assert [c.status for c in await rows(deps, Conversion)] == ["pending"]  # nothing changed so far

    assert (await postback(client, **sale, ts=str(now - 299)))[0] == 200
    assert (await postback(client, **{**lead, "txid": "T-no-ts"}))[0] == 200  # advertisers that cannot send ts
    assert [c.status for c in await rows(deps, Conversion)] == ["approved", "pending"]


# ---- item 5: bodies -------------------------------------------------------------------------------------------

async def test_a_body_split_across_packets_is_read_whole(deps, db_url):
    world = await build_world(deps)
    container = container_for(deps, db_url)
    app = build_web_app(container)
    add_postback_routes(app, container)
    entered = asyncio.Event()

    @web.middleware
    async def mark_entry(request: web.Request, handler):
        entered.set()  # the handler starts with only the first part of the body buffered
        return await handler(request)

    app.middlewares.append(mark_entry)
    body = urlencode(signed(click_id=world.click_id, status="approved", txid="split")).encode()
    head = (f"POST /postback HTTP/1.1\r\nHost: t\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n").encode()
    async with TestServer(app) as server:
        reader, writer = await asyncio.open_connection(server.host, server.port)
        writer.write(head + body[:20])
        await writer.drain()
        await entered.wait()
        writer.write(body[20:])
        await writer.drain()
        answer = await reader.read()
        writer.close()
    assert answer.startswith(b"HTTP/1.1 200"), answer
    assert [c.txid for c in await rows(deps, Conversion)] == ["split"]


async def test_oversized_bodies_answer_413_and_deep_json_400(client, deps):
    world = await build_world(deps)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    response = await client.post("/postback", data=b"x=" + b"a" * MAX_BODY, headers=form)  # Content-Length
    assert (response.status, (await response.json())["error"]) == (413, "too_large")

    async def chunks():  # no Content-Length: the cap holds while reading
        for _ in range(5):
            yield b"a" * (MAX_BODY // 4)

    response = await client.post("/postback", data=chunks(), headers=form)
    assert (response.status, (await response.json())["error"]) == (413, "too_large")
    pads = {f"pad{i}": "p" * 1640 for i in range(39)}  # 2,048 characters per value at most
    fits = urlencode(signed(click_id=world.click_id, status="lead", **pads)).encode()
    assert MAX_BODY - 2000 < len(fits) <= MAX_BODY
    assert (await client.post("/postback", data=fits, headers=form)).status == 200

    for nested in ("[" * 60_000, '{"a":' * 12_000, "[" * 30_000 + "]" * 30_000):  # under the size cap
        response = await client.post("/postback", data=nested, headers={"Content-Type": "application/json"})
        assert (response.status, (await response.json())["error"]) == (400, "bad_body")
    assert len(await rows(deps, Conversion)) == 1


# ---- item 6: postback_log -------------------------------------------------------------------------------------

async def test_refused_requests_are_logged_short_and_accepted_ones_whole(client, deps):
    world = await build_world(deps)
    filler = {f"f{i}": "r" * 2000 for i in range(20)}  # 40 KB of well-formed parameters, wrongly signed
    junk = {"click_id": world.click_id, "status": "approved", **filler, "sig": "0" * 64}
    response = await client.post("/postback?" + urlencode({"q1": "q" * 2000, "q2": "q" * 2000}), data=junk)
    assert response.status == 403
    accepted = signed(click_id=world.click_id, status="rejected", reason="x" * 900, **filler)
    assert (await call(client, accepted, method="POST"))[0] == 200
    refused, kept = await rows(deps, PostbackLog)
    assert len(refused.body) == len(refused.query) == REFUSED_KEEP
    assert kept.status_code == 200 and len(kept.body) == len(urlencode(accepted))


async def test_a_source_refused_too_often_gets_429_logged_once_per_window(limited, deps, clock):
    world = await build_world(deps)
    prober = {"X-Forwarded-For": "198.51.100.9"}
    bad_sig = {"click_id": world.click_id, "status": "approved", "sig": "0" * 64}
    for _ in range(LIMIT):
        assert (await call(limited, bad_sig, headers=prober))[0] == 403
    for _ in range(3):
        response = await limited.get("/postback?" + urlencode(bad_sig), headers=prober)
        assert response.status == 429 and (await response.json())["error"] == "rate_limited"
        assert 0 < int(response.headers["Retry-After"]) <= 60
    good = signed(click_id=world.click_id, status="approved")
    assert (await call(limited, good, headers=prober))[0] == 429  # no work for this source until the window ends
    assert (await call(limited, bad_sig, headers={"X-Forwarded-For": "198.51.100.10"}))[0] == 403  # others: as usual
    logged = [row.status_code for row in await rows(deps, PostbackLog)]
    assert logged == [403] * LIMIT + [429, 403]  # one 429 row per window, not one per request

    clock.advance(seconds=60)
    assert (await call(limited, good, headers=prober))[0] == 200
    assert len(await rows(deps, Conversion)) == 1


async def test_ipv6_sources_are_limited_by_their_64(limited, deps):
    world = await build_world(deps)
    bad_sig = {"click_id": world.click_id, "status": "approved", "sig": "0" * 64}
    for host in range(1, LIMIT + 1):  # a fresh address of the same /64 each time
        assert (await call(limited, bad_sig, headers={"X-Forwarded-For": f"2001:db8:1:2::{host}"}))[0] == 403
    assert (await call(limited, bad_sig, headers={"X-Forwarded-For": "2001:db8:1:2:ffff::1"}))[0] == 429
    assert (await call(limited, bad_sig, headers={"X-Forwarded-For": "2001:db8:1:3::1"}))[0] == 403


async def test_the_daily_job_deletes_postback_log_rows_older_than_the_retention(deps, db_url, clock):
    now = clock.now()
    ages = [timedelta(days=400), timedelta(days=90, seconds=1), timedelta(days=89, hours=23), timedelta(0)]
    await add(deps, *(PostbackLog(received_at=now - age, method="GET", query=f"n={i}", status_code=403,
                                  result={"error": "bad_signature"}) for i, age in enumerate(ages)))
    job = build_scheduler(container_for(deps, db_url)).get_job("postback_log_purge")
    assert job is not None
    assert await job.func(*job.args) == 2
    assert [row.query for row in await rows(deps, PostbackLog)] == ["n=2", "n=3"]
    deps.config = replace(deps.config, postback_log_days=0)  # 0: kept forever
    clock.advance(days=1000)
    assert await job.func(*job.args) == 0 and len(await rows(deps, PostbackLog)) == 2
