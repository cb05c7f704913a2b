"""Bonus plans in the chat: a manager adds steps in /admin on Telegram; the partner sees the progress in Balance
and Stats on Telegram and on VK alike; bad input is refused and partners cannot edit plans."""
from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.bonuses import awards
from services.db.bonus_models import BonusRule
from services.db.models import MessengerAccount
from tests.fakes.builders import add_sale, approved_partner
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

PARTNER, MANAGER, VK_PARTNER = 111, 900, 555


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services) as harness:
        yield harness


async def _rules(services) -> list[tuple]:
    async with services.deps.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(BonusRule).order_by(BonusRule.id))).all()
    return [(r.offer_id, r.metric, r.threshold, r.amount, r.currency, r.active) for r in rows]


async def test_manager_adds_steps_and_partner_sees_progress_on_both_messengers(services, clock, vk):
    clock.current = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
    tg = TelegramHarness(services)
    partner = await approved_partner(services, tg)
    async with services.deps.uow() as uow:  # the same partner on VK (linked accounts)
        uow.session.add(MessengerAccount(partner_id=partner, messenger="vk", external_id=str(VK_PARTNER),
                                         chat_id=str(VK_PARTNER), created_at=clock.now()))
        await uow.commit()
    for _ in range(3):
        await add_sale(services, partner, "1000", days_ago=1)

    await tg.send(MANAGER, "/admin")
    assert "bon:home" in tg.buttons(MANAGER)
    await tg.press(MANAGER, "bon:home")
    await tg.press(MANAGER, "bon:new")
    await tg.send(MANAGER, "все")
    assert "Пришлите номер оффера" in tg.texts(MANAGER)[-2]
    await tg.press(MANAGER, "fm:0")  # every offer
    await tg.press(MANAGER, "fm:0")  # approved conversions
    await tg.send(MANAGER, "0")
    assert "Это не порог" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, "5")
    await tg.send(MANAGER, "500 рублей")
    assert "трёхбуквенный код валюты" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, "500,5 RUB")
    await tg.press(MANAGER, "bon:new")
    await tg.press(MANAGER, "fm:0")
    await tg.press(MANAGER, "fm:0")
    await tg.send(MANAGER, "2.5")
    await tg.send(MANAGER, "3000 RUB")  # a fractional number of conversions: refused at the end, the form stays
    assert "целое число конверсий" in tg.last(MANAGER).text
    await tg.press(MANAGER, "fm:<")  # back from the bonus to the threshold
    await tg.send(MANAGER, "20")
    await tg.send(MANAGER, "3000 RUB")
    assert "★ · 🛒 ≥ 20 → +3 000.00 RUB" in tg.last(MANAGER).text
    assert await _rules(services) == [(None, "conversions", Decimal("5.0000"), Decimal("500.5000"), "RUB", True),
                                      (None, "conversions", Decimal("20.0000"), Decimal("3000.0000"), "RUB", True)]

    await tg.send(PARTNER, "💰 Balance", language_code="en")
    progress = tg.texts(PARTNER)[-1]
    assert "Bonus plan, 2026-12" in progress and "★ · 🛒 3 (2 →)" in progress
    assert "▫️ 5 → +500.50 RUB" in progress and "▫️ 20 → +3 000.00 RUB" in progress
    for _ in range(2):
        await add_sale(services, partner, "1000", days_ago=1)
    await awards.evaluate(services.deps)
    await tg.send(PARTNER, "/stats", language_code="en")
    assert "✅ 5 → +500.50 RUB" in tg.texts(PARTNER)[-1] and "(15 →)" in tg.texts(PARTNER)[-1]
    await vk.send(VK_PARTNER, "статистика")
    assert "✅ 5 → +500.50 RUB" in vk.texts(VK_PARTNER)[-1]

    for action in ("bon:home", "bon:new", "bon:arc:1"):  # partners cannot touch plans
        await tg.press(PARTNER, action, language_code="en")
        assert tg.toasts()[-1] == services.translator("en", "err-not-allowed"), action
    await tg.press(MANAGER, "bon:arc:1")
    assert "#1" not in tg.last(MANAGER).text.split("★ = ")[-1].split("\n", 1)[-1]
    assert [r[-1] for r in await _rules(services)] == [False, True]
