"""/postback through the real aiohttp app on SQLite and PostgreSQL: signature, attribution, idempotency under
concurrency, commissions, the ledger with hold release, review, and the partner's notification delivered through
the fake Telegram session."""
from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace
from datetime import timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import func, select

from bot.config import Settings
from bot.container import Container
from bot.web import build_web_app
from bot.web_postbacks import add_postback_routes
from services.app import Services
from services.db.models import MessengerAccount, OutboxMessage, Partner
from services.db.tracking_models import (
    Click,
    Conversion,
    LedgerEntry,
    NotificationMute,
    Offer,
    PostbackLog,
    TrackingLink,
)
from services.kernel.deps import Deps, ProgramConfig
from services.kernel.dto import Incoming
from services.messaging.outbox import OutboxDispatcher
from services.staff.roles import AccessDenied
from services.ledger.entries import balances, release_due
from services.tracking.review import count_pending_review, list_pending_review, review
from services.tracking.signature import sign
from tests.fakes.tg_harness import TelegramHarness

SECRET = "postback-secret"
PARTNER_TG, PARENT_TG = 111, 222
D = Decimal


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(default_locale="ru", public_base_url="https://partners.example.com",
                         postback_secret=SECRET, fraud_min_seconds=10)


# ---- rows ---------------------------------------------------------------------------------------------------------

@dataclass
class World:
    partner_id: int
    parent_id: int
    offer_id: int
    link_id: int
    click_id: str
    click_pk: int


async def add(deps: Deps, *rows: Any) -> None:
    async with deps.uow() as uow:
        uow.session.add_all(rows)
        await uow.commit()


async def partner(deps: Deps, ref: str, *, tg: int | None = None, vk: int | None = None, parent: int | None = None,
                  status: str = "approved", tier: str = "certified", locale: str = "en") -> int:
    now = deps.clock.now()
    async with deps.uow() as uow:
        row = Partner(status=status, locale=locale, timezone="UTC", tier=tier, parent_id=parent, ref_code=ref,
                      name=ref.title(), created_at=now)
        uow.session.add(row)
        await uow.session.flush()
        for messenger, ext in (("telegram", tg), ("vk", vk)):
            if ext is not None:
                uow.session.add(MessengerAccount(partner_id=row.id, messenger=messenger, external_id=str(ext),
                                                 chat_id=str(ext), created_at=now))
        await uow.commit()
        return row.id


async def offer(deps: Deps, *, model: str = "cpa", cpa: str | None = "1500", revshare: str | None = None,
                hold_days: int = 30, window: int = 30, l2: str = "5", name: str = "Shop") -> int:
    row = Offer(name=name, target_url="https://shop.example.com/", payout_model=model,
                cpa_amount=D(cpa) if cpa else None, revshare_percent=D(revshare) if revshare else None,
                currency="RUB", hold_days=hold_days, attribution_days=window, l2_percent=D(l2), status="active",
                created_at=deps.clock.now())
    await add(deps, row)
    return row.id


async def link(deps: Deps, partner_id: int, offer_id: int, code: str, sub1: str | None = "tg_channel") -> int:
    row = TrackingLink(code=code, partner_id=partner_id, offer_id=offer_id, is_default=True, sub1=sub1,
                       created_at=deps.clock.now())
    await add(deps, row)
    return row.id


async def click(deps: Deps, link_id: int, click_id: str, *, seconds_ago: float = 120, flags: str | None = None
                ) -> int:
    async with deps.uow() as uow:
        found = await uow.session.get(TrackingLink, link_id)
        row = Click(click_id=click_id, link_id=link_id, partner_id=found.partner_id, offer_id=found.offer_id,
                    created_at=deps.clock.now() - timedelta(seconds=seconds_ago),
                    ip_hash="i" * 64, ua_hash="u" * 64, sub1=found.sub1, flags=flags)
        uow.session.add(row)
        await uow.commit()
        return row.id


async def build_world(deps: Deps, **offer_kw: Any) -> World:
    parent = await partner(deps, "parent", tg=PARENT_TG)
    child = await partner(deps, "child", tg=PARTNER_TG, vk=555, parent=parent)
    offer_id = await offer(deps, **offer_kw)
    link_id = await link(deps, child, offer_id, "LinkCode1")
    click_pk = await click(deps, link_id, "CLICK0000000000000001")
    return World(child, parent, offer_id, link_id, "CLICK0000000000000001", click_pk)


async def rows(deps: Deps, model: Any, *where: Any, order: Any = None) -> list[Any]:
    async with deps.uow() as uow:
        stmt = select(model).where(*where).order_by(order if order is not None else model.id)
        return list((await uow.session.scalars(stmt)).all())


async def ledger_of(deps: Deps, conversion_id: int) -> dict[str, Decimal]:
    return {e.entry_key: e.amount for e in await rows(deps, LedgerEntry, LedgerEntry.conversion_id == conversion_id)}


async def balance(deps: Deps, partner_id: int) -> dict[str, Decimal]:
    async with deps.uow() as uow:
        return (await balances(uow, partner_id)).get("RUB", {"hold": D(0), "available": D(0)})


# ---- HTTP ---------------------------------------------------------------------------------------------------------

def container_for(deps: Deps, db_url: str) -> Container:
    engine = deps.uow.session_factory.kw["bind"]  # type: ignore[attr-defined]
    return Container(settings=Settings(_env_file=None, database_url=db_url), engine=engine, deps=deps,
                     services=Services(deps))


@pytest.fixture
async def client(deps: Deps, db_url: str) -> AsyncIterator[TestClient]:
    container = container_for(deps, db_url)
    app = build_web_app(container)
    add_postback_routes(app, container)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


def signed(secret: str = SECRET, **params: str) -> dict[str, str]:
    return {**params, "sig": sign(secret, params)}


async def call(client: TestClient, params: dict[str, str], *, method: str = "GET",
               headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    if method == "GET":
        response = await client.get("/postback?" + urlencode(params), headers=headers)
    else:
        response = await client.post("/postback", data=params, headers=headers)
    return response.status, await response.json()


async def postback(client: TestClient, **params: str) -> tuple[int, dict[str, Any]]:
    return await call(client, signed(**params))


async def deliver(services: Services, tg: TelegramHarness) -> int:
    return await OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={}).dispatch_once()


# ---- the whole path -----------------------------------------------------------------------------------------------

async def test_click_to_postback_to_ledger_to_telegram_notification(client, deps, services):
    world = await build_world(deps)
    status, body = await postback(client, click_id=world.click_id, status="sale", txid="T-1")
    assert status == 200, body
    assert body == {"status": "ok", "conversion_id": 1, "conversion_status": "approved", "duplicate": False}

    [conversion] = await rows(deps, Conversion)
    assert (conversion.partner_id, conversion.link_id, conversion.sub1) == (world.partner_id, world.link_id,
                                                                           "tg_channel")
    assert conversion.commission == D("1500.00") and conversion.payable and conversion.flags is None
    assert conversion.idempotency_key == f"tx:{world.offer_id}:default:T-1"
    release_at = deps.clock.now().replace(tzinfo=None)
    entries = await rows(deps, LedgerEntry)
    assert [(e.entry_key, e.partner_id, e.bucket, e.amount) for e in entries] == [
        ("conv:1:approved:l1", world.partner_id, "hold", D("1500.0000")),
        ("conv:1:approved:l2", world.parent_id, "hold", D("75.0000")),
    ]
    assert all((e.release_at.replace(tzinfo=None) - release_at).days == 30 for e in entries)

    # One outbox row per account of the partner (Telegram + VK), one for the inviter — written with the money.
    outbox = await rows(deps, OutboxMessage)
    assert sorted((m.kind, m.messenger, m.chat_id) for m in outbox) == [
        ("conversion", "telegram", str(PARTNER_TG)), ("conversion", "vk", "555"),
        ("l2_conversion", "telegram", str(PARENT_TG))]

    tg = TelegramHarness(services)
    await deliver(services, tg)
    text = tg.texts(PARTNER_TG)[-1]
    assert "Conversion #1 approved" in text and "Offer: Shop" in text and "Sub-id: tg_channel" in text
    assert "+1 500.00 RUB" in text and "0.00 RUB available · 1 500.00 RUB on hold" in text
    parent_text = tg.texts(PARENT_TG)[-1]
    assert "sub-partners made a sale" in parent_text and "+75.00 RUB" in parent_text

    [logged] = await rows(deps, PostbackLog)
    assert (logged.method, logged.status_code, logged.conversion_id, logged.result["conversion_id"]) == (
        "GET", 200, 1, 1)
    assert "sig=" in logged.query and logged.remote == "127.0.0.1"


async def test_repeats_and_twenty_concurrent_postbacks_make_one_conversion(client, deps):
    world = await build_world(deps)
    params = signed(clickid=world.click_id, status="approved", payout="99.99")
    results = await asyncio.gather(*(call(client, params) for _ in range(20)))
    assert {status for status, _ in results} == {200}
    [conversion] = await rows(deps, Conversion)  # ids may have gaps: losing inserts burn sequence values
    assert {body["conversion_id"] for _, body in results} == {conversion.id}
    assert sorted(body["duplicate"] for _, body in results) == [False] + [True] * 19
    assert await ledger_of(deps, conversion.id) == {f"conv:{conversion.id}:approved:l1": D("99.99"),
                                                    f"conv:{conversion.id}:approved:l2": D("5.00")}
    assert len(await rows(deps, OutboxMessage)) == 3  # 2 partner accounts + 1 inviter
    assert len(await rows(deps, PostbackLog)) == 20

    # A concurrent storm of one transition on an existing conversion moves it once, too.
    pending = signed(click_id=world.click_id, status="lead", goal="signup")
    assert (await call(client, pending))[0] == 200
    approve = signed(click_id=world.click_id, status="approved", goal="signup", payout="10")
    results = await asyncio.gather(*(call(client, approve) for _ in range(20)))
    assert {status for status, _ in results} == {200}
    assert sum(not body["duplicate"] for _, body in results) == 1
    signup = results[0][1]["conversion_id"]
    assert await ledger_of(deps, signup) == {f"conv:{signup}:approved:l1": D("10.00"),
                                             f"conv:{signup}:approved:l2": D("0.50")}
    signup_rows = await rows(deps, OutboxMessage, OutboxMessage.dedupe_key.like(f"conv:{signup}:%"))
    assert sorted(m.dedupe_key.split(":", 2)[2].rsplit(":", 1)[0] for m in signup_rows) == [
        "approved", "approved", "approved:l2", "pending", "pending"]


async def test_click_goal_without_txid_is_the_idempotency_key(client, deps):
    world = await build_world(deps)
    first = await postback(client, cid=world.click_id, status="pending")
    again = await postback(client, subid=world.click_id, status="pending")
    other_goal = await postback(client, click_id=world.click_id, status="pending", goal="deposit")
    assert first[1]["conversion_id"] == again[1]["conversion_id"] == 1 and again[1]["duplicate"]
    assert other_goal[1]["conversion_id"] == 2
    [c1, c2] = await rows(deps, Conversion)
    assert c1.idempotency_key == f"click:{world.click_pk}:default" and c2.goal == "deposit"


# ---- money ------------------------------------------------------------------------------------------------------

async def test_hold_release_then_refund_takes_from_available(client, deps, clock, services):
    world = await build_world(deps)
    assert (await postback(client, click_id=world.click_id, status="lead"))[0] == 200
    assert await ledger_of(deps, 1) == {}  # pending: no money
    assert (await postback(client, click_id=world.click_id, status="approved"))[0] == 200

    clock.advance(days=29, hours=23)
    assert await release_due(deps) == 0
    clock.advance(hours=2)
    assert await release_due(deps) == 2  # partner and inviter
    assert await release_due(deps) == 0  # idempotent
    assert await balance(deps, world.partner_id) == {"hold": D(0), "available": D("1500")}
    assert await balance(deps, world.parent_id) == {"hold": D(0), "available": D("75")}

    status, body = await postback(client, click_id=world.click_id, status="chargeback", reason="Card dispute")
    assert (status, body["conversion_status"]) == (200, "refunded")
    entries = await rows(deps, LedgerEntry, LedgerEntry.entry_key.like("conv:1:refunded:%"))
    assert [(e.entry_key, e.bucket, e.amount) for e in entries] == [
        ("conv:1:refunded:l1", "available", D("-1500")), ("conv:1:refunded:l2", "available", D("-75"))]
    assert await balance(deps, world.partner_id) == {"hold": D(0), "available": D(0)}
    assert sum((await ledger_of(deps, 1)).values()) == 0

    tg = TelegramHarness(services)
    await deliver(services, tg)
    texts = tg.texts(PARTNER_TG)
    assert [t.splitlines()[0] for t in texts] == [
        "⏳ New conversion #1 — waiting for the advertiser's confirmation", "✅ Conversion #1 approved",
        "💸 1 500.00 RUB left the hold and is now available. Available balance: 1 500.00 RUB.",
        "↩️ Conversion #1 refunded"]
    assert "−1 500.00 RUB — written off" in texts[-1] and "Reason: Card dispute" in texts[-1]
    assert "cancelled" in tg.texts(PARENT_TG)[-1] and "−75.00 RUB" in tg.texts(PARENT_TG)[-1]


async def test_refund_before_release_takes_from_hold(client, deps):
    world = await build_world(deps)
    await postback(client, click_id=world.click_id, status="approved")
    await postback(client, click_id=world.click_id, status="refunded")
    entries = await rows(deps, LedgerEntry, LedgerEntry.entry_key.like("conv:1:refunded:%"))
    assert {e.bucket for e in entries} == {"hold"}
    assert await balance(deps, world.partner_id) == {"hold": D(0), "available": D(0)}


async def test_release_and_refund_racing_leave_no_money_behind(client, deps, clock):
    world = await build_world(deps)
    await postback(client, click_id=world.click_id, status="approved")
    clock.advance(days=31)
    refund = signed(click_id=world.click_id, status="refunded")
    await asyncio.gather(release_due(deps), call(client, refund), release_due(deps))
    for who in (world.partner_id, world.parent_id):
        assert await balance(deps, who) == {"hold": D(0), "available": D(0)}


async def test_concurrent_release_jobs_release_once(client, deps, clock):
    world = await build_world(deps)
    for n in range(3):
        click_id = f"C{n:020d}"
        await click(deps, world.link_id, click_id)
        await postback(client, click_id=click_id, status="approved")
    clock.advance(days=30)
    assert sum(await asyncio.gather(*(release_due(deps) for _ in range(5)))) == 6
    assert await balance(deps, world.partner_id) == {"hold": D(0), "available": D("4500")}


async def test_a_horizon_bounds_the_frequent_release_run_and_a_full_sweep_catches_up(client, deps, clock):
    world = await build_world(deps)
    await postback(client, click_id=world.click_id, status="approved")
    clock.advance(days=40)  # the job was down for ten days past the hold
    assert await release_due(deps, horizon=timedelta(days=3)) == 0
    assert await release_due(deps) == 2
    assert await balance(deps, world.partner_id) == {"hold": D(0), "available": D(1500)}


async def test_revshare_uses_tier_rate_or_offer_rate_rounded_half_up(client, deps):
    parent = await partner(deps, "p1")
    gold = await partner(deps, "gold", tier="gold", parent=parent)
    tiered = await offer(deps, model="revshare", cpa=None, l2="10")
    fixed = await offer(deps, model="revshare", cpa=None, revshare="12.5", name="Fixed")
    await click(deps, await link(deps, gold, tiered, "Tier1"), "CT1")
    await click(deps, await link(deps, gold, fixed, "Fixed1"), "CF1")

    await postback(client, click_id="CT1", status="approved", amount="100.10")  # 35 % → 35.035 → 35.04
    await postback(client, click_id="CF1", status="approved", amount="0.20")  # 12.5 % → 0.025 → 0.03
    tier_conv, fixed_conv = await rows(deps, Conversion)
    assert (tier_conv.commission, tier_conv.sale_amount) == (D("35.04"), D("100.10"))
    assert fixed_conv.commission == D("0.03")
    assert await ledger_of(deps, 1) == {"conv:1:approved:l1": D("35.04"), "conv:1:approved:l2": D("3.50")}


async def test_revshare_lead_without_amount_gets_its_commission_at_approval(client, deps, services):
    pid = await partner(deps, "solo", tg=PARTNER_TG)
    offer_id = await offer(deps, model="revshare", cpa=None)
    await click(deps, await link(deps, pid, offer_id, "Solo1"), "CS1")
    assert (await postback(client, click_id="CS1", status="lead"))[0] == 200
    status, body = await postback(client, click_id="CS1", status="approved")
    assert (status, body["error"]) == (400, "missing_amount")
    assert (await postback(client, click_id="CS1", status="approved", amount="1000"))[0] == 200
    [conversion] = await rows(deps, Conversion)
    assert (conversion.commission, conversion.sale_amount) == (D("300.00"), D("1000"))
    assert await ledger_of(deps, 1) == {"conv:1:approved:l1": D("300.00")}  # no inviter: no l2
    tg = TelegramHarness(services)
    await deliver(services, tg)
    assert "Commission: calculated once the sale is confirmed." in tg.texts(PARTNER_TG)[0]


async def test_conversion_outside_the_attribution_window_is_recorded_without_money(client, deps, services):
    world = await build_world(deps, window=7)
    old = await click(deps, world.link_id, "COLD", seconds_ago=7 * 86400 + 60)
    status, body = await postback(client, click_id="COLD", status="approved")
    assert status == 200 and body["conversion_status"] == "approved"
    [conversion] = await rows(deps, Conversion, Conversion.click_pk == old)
    assert (conversion.payable, conversion.not_payable_reason, conversion.commission) == (
        False, "attribution_window", D(0))
    assert await ledger_of(deps, conversion.id) == {}
    tg = TelegramHarness(services)
    await deliver(services, tg)
    assert "after the attribution window" in tg.texts(PARTNER_TG)[-1]
    assert tg.texts(PARENT_TG) == []  # no money for the inviter, no message


# ---- promo codes ---------------------------------------------------------------------------------------------------

async def test_promo_codes_attribute_without_a_click(client, deps):
    world = await build_world(deps)
    status, body = await postback(client, promo="LinkCode1", status="approved", txid="A1")
    assert status == 200
    status, body = await postback(client, promo="child", status="approved", txid="A2")  # ref code, sole offer
    assert status == 200
    convs = await rows(deps, Conversion)
    assert [(c.partner_id, c.link_id, c.promo_code, c.click_pk) for c in convs] == [
        (world.partner_id, world.link_id, "LinkCode1", None), (world.partner_id, None, "child", None)]

    assert (await postback(client, promo="child", status="approved"))[1]["error"] == "txid_required"
    assert (await postback(client, promo="nobody", status="approved", txid="A3"))[0] == 404
    await offer(deps, name="Second")
    assert (await postback(client, promo="child", status="approved", txid="A4"))[1]["error"] == "offer_required"
    assert (await postback(client, promo="child", status="approved", txid="A4", offer=str(world.offer_id)))[0] == 200


async def test_click_with_promo_of_a_direct_referral_relative_is_flagged(client, deps):
    world = await build_world(deps)
    await postback(client, click_id=world.click_id, promo="parent", status="pending")
    [conversion] = await rows(deps, Conversion)
    assert (conversion.flags, conversion.review, conversion.partner_id) == ("self_referral", "pending",
                                                                           world.partner_id)


# ---- fraud and review ----------------------------------------------------------------------------------------------

async def test_flagged_conversions_stay_on_hold_until_a_manager_clears_them(client, deps, clock, services):
    world = await build_world(deps)
    await click(deps, world.link_id, "CFAST", seconds_ago=3)
    await click(deps, world.link_id, "CBOT", flags="bot_ua")
    await postback(client, click_id="CFAST", status="approved", txid="F1")
    await postback(client, click_id="CBOT", status="approved", txid="F2")
    fast, bot = await rows(deps, Conversion)
    assert (fast.flags, fast.review, bot.flags, bot.review) == ("fast", "pending", "click_flagged", "pending")

    async with deps.uow() as uow:
        assert await count_pending_review(uow) == 2
        items = await list_pending_review(uow, limit=10)
    assert [(i.conversion_id, i.flags, i.click_id, i.commission) for i in items] == [
        (1, ("fast",), "CFAST", D("1500")), (2, ("click_flagged",), "CBOT", D("1500"))]

    clock.advance(days=31)
    assert await release_due(deps) == 0  # flagged: nothing moves

    support = Incoming(messenger="telegram", user_id="902", chat_id="902")
    with pytest.raises(AccessDenied):
        await review(deps, support, 1, "clear")
    manager = Incoming(messenger="telegram", user_id="900", chat_id="900")
    assert (await review(deps, manager, 1, "clear")).outcome == "cleared"
    assert (await review(deps, manager, 1, "reject")).outcome == "already_decided"
    # Its hold ended while it waited: clearing released it at once.
    assert await ledger_of(deps, 1) == {"conv:1:approved:l1": D(1500), "conv:1:approved:l2": D(75),
                                        "conv:1:release:l1:hold": D(-1500), "conv:1:release:l1:available": D(1500),
                                        "conv:1:release:l2:hold": D(-75), "conv:1:release:l2:available": D(75)}
    assert await release_due(deps) == 0
    result = await review(deps, manager, 2, "reject")
    assert (result.outcome, result.status) == ("rejected", "rejected")
    assert await ledger_of(deps, 2) == {"conv:2:approved:l1": D(1500), "conv:2:approved:l2": D(75),
                                        "conv:2:rejected:l1": D(-1500), "conv:2:rejected:l2": D(-75)}
    assert await balance(deps, world.partner_id) == {"hold": D(0), "available": D(1500)}
    async with deps.uow() as uow:
        assert await list_pending_review(uow) == []

    tg = TelegramHarness(services)
    await deliver(services, tg)
    assert "did not pass our quality check" in tg.texts(PARTNER_TG)[-1]
    # An advertiser's later postback cannot resurrect it.
    assert (await postback(client, click_id="CBOT", status="approved", txid="F2"))[0] == 409


async def test_muted_partner_gets_no_conversion_messages_but_the_inviter_does(client, deps):
    world = await build_world(deps)
    await add(deps, NotificationMute(partner_id=world.partner_id, kind="conversion", created_at=deps.clock.now()))
    await postback(client, click_id=world.click_id, status="approved")
    assert [(m.kind, m.partner_id) for m in await rows(deps, OutboxMessage)] == [("l2_conversion", world.parent_id)]


# ---- refusals ----------------------------------------------------------------------------------------------------

async def test_signature_and_ip_allowlist_refusals(client, deps):
    world = await build_world(deps)
    good = {"click_id": world.click_id, "status": "approved"}
    assert (await call(client, good))[1]["error"] == "bad_signature"  # unsigned
    assert (await call(client, signed("wrong", **good)))[1]["error"] == "bad_signature"
    tampered = {**signed(**good), "payout": "100000"}
    assert await call(client, tampered) == (403, {
        "error": "bad_signature", "message": "sig must be the hex HMAC-SHA256 of the sorted, percent-encoded "
                                             "parameters (see the postback signing rule)"})

    deps.config = replace(deps.config, postback_ip_allowlist=("198.51.100.0/24", "203.0.113.7"))
    assert (await call(client, signed(**good)))[1]["error"] == "ip_not_allowed"
    status, _ = await call(client, signed(**good), headers={"X-Forwarded-For": "198.51.100.23"})
    assert status == 200

    deps.config = replace(deps.config, postback_ip_allowlist=(), postback_secret="")
    status, body = await call(client, signed(SECRET, **good))
    assert (status, body["error"]) == (403, "postbacks_disabled")
    assert len(await rows(deps, Conversion)) == 1


@pytest.mark.parametrize("params, code", [
    ({"status": "approved"}, "missing_click"),
    ({"click_id": "X", "status": "paid"}, "unknown_status"),
    ({"click_id": "X"}, "missing_status"),
    ({"click_id": "X", "status": "approved", "payout": "1e3"}, "bad_decimal"),
    ({"click_id": "X", "status": "approved", "payout": "12,50"}, "bad_decimal"),
    ({"click_id": "X", "status": "approved", "payout": "NaN"}, "bad_decimal"),
    ({"click_id": "X", "status": "approved", "payout": "-5"}, "negative_amount"),
    ({"click_id": "X", "status": "approved", "amount": "10000000000"}, "amount_too_large"),
    ({"click_id": "X", "status": "approved", "amount": "1" * 40}, "bad_decimal"),
    ({"click_id": "X", "status": "approved", "currency": "RUBLES"}, "bad_currency"),
    ({"click_id": "X", "status": "approved", "goal": "a:b"}, "bad_goal"),
    ({"click_id": "X", "status": "approved", "txid": "t" * 129}, "too_long"),
    ({"click_id": "X", "clickid": "Y", "status": "approved"}, "duplicate_param"),
])
async def test_malformed_postbacks_answer_400_with_a_json_error(client, deps, params, code):
    status, body = await postback(client, **params)
    assert (status, body["error"]) == (400, code) and body["message"]
    [logged] = await rows(deps, PostbackLog)
    assert (logged.status_code, logged.result["error"], logged.conversion_id) == (400, code, None)


async def test_body_refusals(client, deps):
    world = await build_world(deps)
    params = signed(click_id=world.click_id, status="approved")
    response = await client.post("/postback", data=b"{not json", headers={"Content-Type": "application/json"})
    assert (response.status, (await response.json())["error"]) == (400, "bad_body")
    response = await client.post("/postback?" + urlencode(params), data="status=rejected",
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (response.status, (await response.json())["error"]) == (400, "duplicate_param")
    response = await client.post("/postback", data=b"x=" + b"a" * 70_000,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert (response.status, (await response.json())["error"]) == (413, "too_large")
    assert (await client.head("/postback?" + urlencode(params))).status == 405  # HEAD must not record a sale
    assert await rows(deps, Conversion) == []


async def test_unknown_click_404_and_illegal_transitions_409(client, deps):
    world = await build_world(deps)
    status, body = await postback(client, click_id="NOPE", status="approved")
    assert (status, body["error"]) == (404, "unknown_click")
    status, body = await postback(client, click_id=world.click_id, status="refunded")
    assert (status, body["error"]) == (409, "illegal_transition")
    assert await rows(deps, Conversion) == []

    await postback(client, click_id=world.click_id, status="approved")
    for bad in ("pending", "rejected"):
        status, body = await postback(client, click_id=world.click_id, status=bad)
        assert (status, body["error"]) == (409, "illegal_transition")
    await postback(client, click_id=world.click_id, status="refunded")
    status, _ = await postback(client, click_id=world.click_id, status="approved")
    assert status == 409
    status, body = await postback(client, click_id=world.click_id, status="refunded")
    assert (status, body["duplicate"]) == (200, True)
    assert [c.status for c in await rows(deps, Conversion)] == ["refunded"]

    other = await click(deps, world.link_id, "CREJ")
    await postback(client, click_id="CREJ", status="declined", reason="Duplicate order")
    assert (await postback(client, click_id="CREJ", status="approved"))[0] == 409
    rejected = (await rows(deps, Conversion, Conversion.click_pk == other))[0]
    assert (rejected.status, rejected.reason, rejected.commission) == ("rejected", "Duplicate order", D(1500))
    assert await ledger_of(deps, rejected.id) == {}

    status, body = await postback(client, click_id=world.click_id, status="approved", currency="USD", goal="x")
    assert (status, body["error"]) == (400, "currency_mismatch")


async def test_post_form_json_and_query_are_merged_and_every_request_is_logged(client, deps):
    world = await build_world(deps)
    await click(deps, world.link_id, "CJSON")
    # Signature in the query, the rest in a form body.
    params = signed(click_id=world.click_id, status="approved", payout="10.5")
    response = await client.post(f"/postback?sig={params.pop('sig')}", data=params)
    assert response.status == 200, await response.text()
    # JSON numbers keep their written form for the signature ("20.50").
    body = {"click_id": "CJSON", "status": "approved", "payout": "20.50"}
    raw = '{"click_id": "CJSON", "status": "approved", "payout": 20.50, "sig": "%s"}' % sign(SECRET, body)
    response = await client.post("/postback", data=raw, headers={"Content-Type": "application/json"})
    assert response.status == 200, await response.text()
    assert [c.commission for c in await rows(deps, Conversion)] == [D("10.50"), D("20.50")]

    await postback(client, click_id="missing", status="approved")
    logged = await rows(deps, PostbackLog)
    assert [(l.method, l.status_code) for l in logged] == [("POST", 200), ("POST", 200), ("GET", 404)]
    assert json.loads(logged[1].body)["payout"] == 20.5 and logged[0].body.startswith("click_id=")
    async with deps.uow() as uow:
        assert await uow.session.scalar(select(func.count()).select_from(PostbackLog)) == 3
