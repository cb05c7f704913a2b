"""End to end through the real web app: a visitor clicks /r/{code}, the advertiser's signed postbacks arrive at
/postback (once, repeated, and twenty at a time), the ledger moves through hold to available and back, and the
partner and their inviter read it all in Telegram — via the outbox and the fake Telegram session."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from decimal import Decimal
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from aiohttp.test_utils import TestClient, TestServer
from sqlalchemy import select

from bot.config import Settings
from bot.container import Container
from bot.web import build_web_app
from bot.web_clicks import add_click_routes
from bot.web_postbacks import add_postback_routes
from services.db.models import MessengerAccount, OutboxMessage, Partner
from services.db.tracking_models import Click, Conversion, Offer, PostbackLog, TrackingLink
from services.kernel.deps import ProgramConfig
from services.messaging.outbox import OutboxDispatcher
from services.ledger.entries import balances, release_due
from services.tracking.signature import sign
from tests.fakes.tg_harness import TelegramHarness

SECRET = "e2e-secret"
PARTNER, INVITER = 111, 222
BROWSER = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"


@pytest.fixture
def program_config() -> ProgramConfig:
    return ProgramConfig(default_locale="ru", public_base_url="https://partners.example.com",
                         postback_secret=SECRET)


@pytest.fixture
async def client(deps, db_url, services) -> AsyncIterator[TestClient]:
    engine = deps.uow.session_factory.kw["bind"]
    container = Container(settings=Settings(_env_file=None, database_url=db_url), engine=engine, deps=deps,
                          services=services)
    app = build_web_app(container)
    add_click_routes(app, container)
    add_postback_routes(app, container)
    async with TestClient(TestServer(app)) as test_client:
        yield test_client


async def seed(deps) -> tuple[int, int]:
    now = deps.clock.now()
    async with deps.uow() as uow:
        inviter = Partner(status="approved", locale="en", ref_code="inviter", name="Olga", created_at=now)
        uow.session.add(inviter)
        await uow.session.flush()
        partner = Partner(status="approved", locale="ru", ref_code="partner", name="Ivan", parent_id=inviter.id,
                          created_at=now)
        offer = Offer(name="Онлайн-школа", target_url="https://school.example.com/", payout_model="cpa",
                      cpa_amount=Decimal("2500"), currency="RUB", hold_days=14, attribution_days=30,
                      l2_percent=Decimal("10"), status="active", created_at=now)
        uow.session.add_all([partner, offer])
        await uow.session.flush()
        uow.session.add_all([
            MessengerAccount(partner_id=partner.id, messenger="telegram", external_id=str(PARTNER),
                             chat_id=str(PARTNER), created_at=now),
            MessengerAccount(partner_id=inviter.id, messenger="telegram", external_id=str(INVITER),
                             chat_id=str(INVITER), created_at=now),
            TrackingLink(code="Promo2026", partner_id=partner.id, offer_id=offer.id, is_default=True,
                         sub1="tg_channel", created_at=now),
        ])
        await uow.commit()
        return partner.id, inviter.id


def signed(**params: str) -> str:
    return "/postback?" + urlencode({**params, "sig": sign(SECRET, params)})


async def balance(deps, partner_id: int) -> dict[str, Decimal]:
    async with deps.uow() as uow:
        return (await balances(uow, partner_id))["RUB"]


async def test_click_to_notification(client, deps, clock, services):
    partner_id, inviter_id = await seed(deps)
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(deps, {"telegram": tg.notifier}, rates={})

    # 1. A visitor clicks the partner's link; the redirect carries the click id to the advertiser.
    response = await client.get("/r/Promo2026?sub1=post_42", allow_redirects=False,
                                headers={"User-Agent": BROWSER})
    assert response.status == 302
    click_id = parse_qs(urlsplit(response.headers["Location"]).query)["click_id"][0]
    async with deps.uow() as uow:
        click = await uow.session.scalar(select(Click).where(Click.click_id == click_id))
    assert click.sub1 == "post_42" and click.flags is None

    # 2. Minutes later the advertiser reports the sale — and, as advertisers do, repeats it.
    clock.advance(minutes=7)
    sale = signed(click_id=click_id, status="sale", txid="order-9001")
    first = await (await client.get(sale)).json()
    again = await (await client.get(sale)).json()
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert first["conversion_id"] == again["conversion_id"]
    assert await balance(deps, partner_id) == {"hold": Decimal("2500"), "available": Decimal(0)}
    assert await balance(deps, inviter_id) == {"hold": Decimal("250"), "available": Decimal(0)}

    await dispatcher.dispatch_once()
    [partner_text] = tg.texts(PARTNER)
    assert partner_text.splitlines()[:3] == ["✅ Конверсия №1 подтверждена", "Оффер: Онлайн-школа",
                                            "Саб-ID: post_42"]
    assert "+2 500.00 RUB" in partner_text and "0.00 RUB доступно · 2 500.00 RUB в холде" in partner_text
    [inviter_text] = tg.texts(INVITER)
    assert "sub-partners made a sale" in inviter_text and "+250.00 RUB" in inviter_text

    # 3. The hold ends: the scheduler's job makes the money available (running it twice changes nothing).
    clock.advance(days=14)
    assert await release_due(deps) == 2 and await release_due(deps) == 0
    assert await balance(deps, partner_id) == {"hold": Decimal(0), "available": Decimal("2500")}

    # 4. A chargeback arrives twenty times at once: one refund, one message per account.
    refund = signed(click_id=click_id, status="chargeback", txid="order-9001", reason="Chargeback")
    answers = await asyncio.gather(*(client.get(refund) for _ in range(20)))
    assert {r.status for r in answers} == {200}
    bodies = [await r.json() for r in answers]
    assert sum(not body["duplicate"] for body in bodies) == 1
    assert await balance(deps, partner_id) == {"hold": Decimal(0), "available": Decimal(0)}
    assert await balance(deps, inviter_id) == {"hold": Decimal(0), "available": Decimal(0)}

    await dispatcher.dispatch_once()
    # approved, money available (hold ended), refunded — for the partner and the inviter alike
    assert len(tg.texts(PARTNER)) == 3 and len(tg.texts(INVITER)) == 3
    assert tg.texts(PARTNER)[1].startswith("💸 2 500.00 RUB вышли из холда")
    assert tg.texts(PARTNER)[-1].startswith("↩️ По конверсии №1 оформлен возврат")
    assert "Причина: Chargeback" in tg.texts(PARTNER)[-1]

    async with deps.uow() as uow:
        [conversion] = (await uow.session.scalars(select(Conversion))).all()
        logged = (await uow.session.scalars(select(PostbackLog))).all()
        kinds = sorted((m.kind, m.chat_id) for m in (await uow.session.scalars(select(OutboxMessage))).all())
    assert conversion.status == "refunded" and len(logged) == 22
    assert kinds == sorted([("conversion", str(PARTNER))] * 2 + [("l2_conversion", str(INVITER))] * 2
                           + [("hold_released", str(PARTNER)), ("hold_released", str(INVITER))])
