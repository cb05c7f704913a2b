"""The REST API over HTTP through the real aiohttp app, on SQLite and PostgreSQL: bearer tokens (none, wrong,
revoked, expired, out of scope), cursor pages without gaps or repeats while rows are added between requests,
filters, money and time formats, conversions' status history from real postbacks, and the 429."""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.web import build_web_app
from bot.web_postbacks import add_postback_routes
from services.api import tokens
from services.db.api_models import ApiToken, ApiTokenAudit
from services.kernel.deps import ProgramConfig
from services.tracking.signature import sign
from tests.api.helpers import (ADMIN, add_conversions, add_offer, add_partner, add_payout, container_for, get,
                               issue, pages)
from tests.integration.test_postbacks import build_world

SECRET = "postback-secret"
ISO_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(default_locale="ru", public_base_url="https://partners.example.com",
                         postback_secret=SECRET, fraud_min_seconds=10)


@pytest.fixture
async def client(deps, db_url, services) -> AsyncIterator[TestClient]:
    container = container_for(deps, db_url, api_rate_per_minute=6000, api_rate_burst=1000)
    app = build_web_app(container)
    add_postback_routes(app, container)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def test_no_wrong_revoked_or_expired_token_is_401_and_a_missing_scope_403(client, deps, services, clock):
    token_id, token = await issue(deps, ("payouts:read",), days=2)
    status, body, headers = await get(client, "/api/v1/payouts", None)
    assert (status, body["error"]) == (401, "unauthorized") and "Bearer" in headers["WWW-Authenticate"]
    assert set(body) == {"error", "detail"}
    assert (await client.get("/api/v1/payouts", headers={"Authorization": f"Basic {token}"})).status == 401
    wrong_secret = token[:-4] + ("aaaa" if not token.endswith("aaaa") else "bbbb")
    for bad in (wrong_secret, "pbk_nope_x", "garbage", token + "x"):
        status, body, _ = await get(client, "/api/v1/payouts", bad)
        assert (status, body["detail"]) == (401, "the token is not valid"), bad
    status, body, _ = await get(client, "/api/v1/conversions", token)
    assert (status, body["error"]) == (403, "forbidden") and "conversions:read" in body["detail"]
    status, body, _ = await get(client, "/api/v1/payouts", token)
    assert status == 200 and body == {"data": [], "next_cursor": None}

    clock.advance(days=2)  # expires_at is exclusive
    status, body, _ = await get(client, "/api/v1/payouts", token)
    assert (status, body["detail"]) == (401, "the token has expired")

    other_id, other = await issue(deps, ("payouts:read",), days=None)
    assert (await get(client, "/api/v1/payouts", other))[0] == 200
    async with deps.uow() as uow:
        assert (await tokens.revoke(uow, ADMIN, other_id, clock.now())) is not None
        assert (await tokens.revoke(uow, ADMIN, other_id, clock.now())) is None  # once
        await uow.commit()
    status, body, _ = await get(client, "/api/v1/payouts", other)
    assert (status, body["detail"]) == (401, "the token was revoked")
    async with deps.uow(readonly=True) as uow:
        stored = {t.id: t for t in (await uow.session.scalars(select(ApiToken))).all()}
        trail = [(a.action, a.token_id, a.actor) for a in (await uow.session.scalars(
            select(ApiTokenAudit).order_by(ApiTokenAudit.id))).all()]
    assert token not in str([vars(t) for t in stored.values()])  # only the hash is kept
    assert stored[token_id].last_used_at is not None and stored[other_id].last_used_at == stored[other_id].created_at
    assert trail == [("created", token_id, "telegram:903"), ("created", other_id, "telegram:903"),
                     ("revoked", other_id, "telegram:903")]


async def test_unknown_paths_and_bad_filters_answer_json(client, deps, services):
    _, token = await issue(deps)
    status, body, _ = await get(client, "/api/v1/nothing", token)
    assert (status, body["error"]) == (404, "not_found")
    response = await client.post("/api/v1/conversions", headers={"Authorization": f"Bearer {token}"})
    assert response.status == 405 and (await response.json())["error"] == "method_not_allowed"
    status, body, _ = await get(client, "/api/v1/conversions/999", token)
    assert (status, body["error"]) == (404, "not_found")
    status, body, _ = await get(client, "/api/v1/partners/abc", token)
    assert (status, body["error"]) == (400, "bad_filter")
    for params in ({"from": "yesterday"}, {"from": "1700000000"}, {"limit": "0"}, {"limit": "501"},
                   {"status": "won"}, {"partner_id": "x"}, {"colour": "red"}, {"from": "2026-01-02", "to": "2026-01-01"},
                   {"cursor": "!!!"}):
        status, body, _ = await get(client, "/api/v1/conversions", token, **params)
        assert (status, body["error"]) in ((400, "bad_filter"), (400, "bad_cursor")), (params, body)
    status, body, _ = await get(client, "/api/v1/stats", token, **{"from": "2024-01-01", "to": "2026-01-01"})
    assert status == 400 and "366" in body["detail"]


async def test_conversions_carry_status_history_money_and_utc_times(client, deps, services, clock):
    world = await build_world(deps)
    for status in ("lead", "sale"):
        params = {"click_id": world.click_id, "status": status, "txid": "T-1"}
        response = await client.get("/postback?" + urlencode({**params, "sig": sign(SECRET, params)}))
        assert response.status == 200, await response.text()
        clock.advance(minutes=5)
    _, token = await issue(deps, ("conversions:read",))
    status, body, _ = await get(client, "/api/v1/conversions", token)
    assert status == 200
    [row] = body["data"]
    assert row["status"] == "approved" and row["commission"] == {"amount": "1500.00", "currency": "RUB"}
    assert row["sale_amount"] is None and row["txid"] == "T-1" and row["partner_id"] == world.partner_id
    assert [(h["from_status"], h["to_status"], h["source"]) for h in row["history"]] == [
        (None, "pending", "advertiser"), ("pending", "approved", "advertiser")]
    times = [row["created_at"], row["updated_at"], *(h["at"] for h in row["history"])]
    assert all(ISO_Z.match(t) for t in times), times
    assert row["history"][1]["at"] == row["updated_at"] != row["created_at"]
    status, single, _ = await get(client, f"/api/v1/conversions/{row['id']}", token)
    assert status == 200 and single == row


async def test_filters_and_what_partners_and_payouts_leave_out(client, deps, services, clock):
    offer = await add_offer(deps)
    start = clock.now()
    ann, bob = await add_partner(deps, "ann"), await add_partner(deps, "bob")
    await add_partner(deps, "cid", status="applied")
    await add_conversions(deps, ann, offer, 3, at=start - timedelta(days=3))
    await add_conversions(deps, ann, offer, 2, at=start - timedelta(days=1), status="pending", tag="p")
    await add_conversions(deps, bob, offer, 4, at=start - timedelta(hours=1), commission="0.375")
    await add_payout(deps, ann, "1000", at=start, status="paid")
    await add_payout(deps, bob, "250.5", at=start)
    _, token = await issue(deps)

    async def count(path: str, **params: str) -> int:
        return len(await pages(client, path, token, limit=2, **params))

    assert await count("/api/v1/conversions") == 9
    assert await count("/api/v1/conversions", partner_id=str(ann)) == 5
    assert await count("/api/v1/conversions", partner_id=f"{ann},{bob}", status="pending") == 2
    since = (start - timedelta(days=2)).isoformat()
    assert await count("/api/v1/conversions", **{"from": since}) == 6
    assert await count("/api/v1/conversions", **{"from": since, "to": (start - timedelta(hours=2)).isoformat()}) == 2
    assert await count("/api/v1/conversions", **{"to": (start - timedelta(days=2)).date().isoformat()}) == 3
    fractions = await pages(client, "/api/v1/conversions", token, partner_id=str(bob))
    assert {r["commission"]["amount"] for r in fractions} == {"0.375"}
    # repeated parameters work like commas
    status, body, _ = await get(client, f"/api/v1/conversions?partner_id={ann}&partner_id={bob}&status=pending",
                                token)
    assert status == 200 and len(body["data"]) == 2

    payouts = await pages(client, "/api/v1/payouts", token)
    assert [(p["partner_id"], p["amount"], p["status"]) for p in payouts] == [
        (ann, {"amount": "1000.00", "currency": "RUB"}, "paid"), (bob, {"amount": "250.50", "currency": "RUB"},
                                                                  "requested")]
    assert not {"masked", "cipher", "kind", "reference", "reason"} & set(payouts[0])
    assert await count("/api/v1/payouts", status="paid") == 1

    partners = await pages(client, "/api/v1/partners", token)
    assert [p["id"] for p in partners] == [ann, bob, ann + 2]
    assert not {"name", "email", "ref_code"} & set(partners[0])
    assert "Secret Name" not in str(partners) and "example.com" not in str(partners)
    assert await count("/api/v1/partners", status="applied") == 1
    status, body, _ = await get(client, f"/api/v1/partners/{bob}", token)
    assert status == 200 and body["id"] == bob and body["messengers"] == []


@pytest.mark.parametrize("path", ["/api/v1/conversions", "/api/v1/payouts", "/api/v1/partners"])
async def test_pages_have_no_gaps_or_repeats_while_rows_are_added(client, deps, services, clock, path):
    offer = await add_offer(deps)
    partner = await add_partner(deps, "ann", created=clock.now() - timedelta(days=10))
    before: list[int] = []
    for n in range(5):  # 5 instants × 4 rows: most page boundaries fall inside a run of equal timestamps
        at = clock.now() - timedelta(days=5 - n)
        if path.endswith("conversions"):
            before += await add_conversions(deps, partner, offer, 4, at=at, tag=f"b{n}")
        elif path.endswith("payouts"):
            before += [await add_payout(deps, partner, "10", at=at) for _ in range(4)]
        else:
            before += [await add_partner(deps, f"p{n}x{k}", created=at) for k in range(4)]
    if path.endswith("partners"):
        before.insert(0, partner)
    added: list[int] = []

    async def meanwhile(page: int) -> None:
        clock.advance(seconds=1)
        if path.endswith("conversions"):
            added.extend(await add_conversions(deps, partner, offer, 2, at=clock.now(), tag=f"a{page}"))
        elif path.endswith("payouts"):
            added.extend([await add_payout(deps, partner, "10", at=clock.now()) for _ in range(2)])
        elif page < 6:
            added.extend([await add_partner(deps, f"a{page}x{k}", created=clock.now()) for k in range(2)])

    _, token = await issue(deps)
    seen = [row["id"] for row in await pages(client, path, token, between=meanwhile, limit=3)]
    assert len(seen) == len(set(seen)), "a row came twice"
    assert set(before) <= set(seen), f"rows skipped: {set(before) - set(seen)}"
    assert seen == sorted(seen) and set(seen) == set(before) | set(added)  # new rows sort after: all reached


async def test_a_cursor_belongs_to_its_filters(client, deps, services, clock):
    offer = await add_offer(deps)
    partner = await add_partner(deps, "ann")
    await add_conversions(deps, partner, offer, 5, at=clock.now())
    _, token = await issue(deps)
    _, first, _ = await get(client, "/api/v1/conversions", token, limit=2, status="approved")
    status, body, _ = await get(client, "/api/v1/conversions", token, limit=2, cursor=first["next_cursor"])
    assert (status, body["error"]) == (400, "bad_cursor")
    status, body, _ = await get(client, "/api/v1/conversions", token, limit=4, status="approved",
                                cursor=first["next_cursor"])  # the page size may change
    assert status == 200 and len(body["data"]) == 3


async def test_a_token_over_its_rate_gets_429_with_retry_after(deps, db_url, services):
    container = container_for(deps, db_url, api_rate_per_minute=2, api_rate_burst=2)
    _, token = await issue(deps, ("partners:read",))
    _, other = await issue(deps, ("partners:read",))
    async with TestClient(TestServer(build_web_app(container))) as client:
        assert [(await get(client, "/api/v1/partners", token))[0] for _ in range(2)] == [200, 200]
        status, body, headers = await get(client, "/api/v1/partners", token)
        assert (status, body["error"]) == (429, "rate_limited") and 1 <= int(headers["Retry-After"]) <= 30
        assert (await get(client, "/api/v1/partners", other))[0] == 200  # per token


async def test_history_records_reviews_and_ignores_repeated_postbacks(client, deps, services, clock):
    from sqlalchemy import update

    from services.db.tracking_models import Conversion
    from services.kernel.dto import Incoming
    from services.tracking.review import review

    world = await build_world(deps)
    params = {"click_id": world.click_id, "status": "sale", "txid": "T-9"}
    for _ in range(2):  # the advertiser retries: one conversion, one event
        response = await client.get("/postback?" + urlencode({**params, "sig": sign(SECRET, params)}))
        assert response.status == 200
    async with deps.uow() as uow:
        await uow.session.execute(update(Conversion).values(review="pending"))
        await uow.commit()
    clock.advance(hours=1)
    result = await review(deps, Incoming("telegram", "900", "900"), 1, "reject")
    assert result.outcome == "rejected"
    _, token = await issue(deps, ("conversions:read",))
    status, body, _ = await get(client, "/api/v1/conversions/1", token)
    assert [(h["from_status"], h["to_status"], h["source"]) for h in body["history"]] == [
        (None, "approved", "advertiser"), ("approved", "rejected", "review")]
    assert body["history"][1]["at"] == clock.now().strftime("%Y-%m-%dT%H:%M:%SZ")


async def test_the_change_feed_follows_every_status_change_without_gaps(client, deps, services, clock):
    """/conversion-events: a BI tool syncing changes keeps its cursor; new changes come after it, none twice."""
    world = await build_world(deps)
    _, token = await issue(deps, ("conversions:read",))

    async def send(status: str, txid: str) -> None:
        params = {"click_id": world.click_id, "status": status, "txid": txid}
        response = await client.get("/postback?" + urlencode({**params, "sig": sign(SECRET, params)}))
        assert response.status == 200, await response.text()
        clock.advance(seconds=30)

    for n in range(3):
        await send("lead", f"T-{n}")
    seen: list[dict] = []
    status, body, _ = await get(client, "/api/v1/conversion-events", token, limit=2)
    seen += body["data"]
    await send("sale", "T-0")  # changes while the reader pages
    await send("sale", "T-2")
    cursor = body["next_cursor"]
    while cursor:
        status, body, _ = await get(client, "/api/v1/conversion-events", token, limit=2, cursor=cursor)
        seen += body["data"]
        cursor = body["next_cursor"]
    assert [(e["conversion_id"], e["from_status"], e["to_status"]) for e in seen] == [
        (1, None, "pending"), (2, None, "pending"), (3, None, "pending"), (1, "pending", "approved"),
        (3, "pending", "approved")]
    assert {e["partner_id"] for e in seen} == {world.partner_id}
    status, body, _ = await get(client, "/api/v1/conversion-events", token, conversion_id="3")
    assert [e["to_status"] for e in body["data"]] == ["pending", "approved"]
