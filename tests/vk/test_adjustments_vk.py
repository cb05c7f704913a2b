"""Balance adjustments on VK (the real vkbottle labelers over FakeVK): the same two steps and approval as on
Telegram, and a Telegram admin approves a VK manager's request."""
from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.db.tracking_models import LedgerEntry
from tests.fakes.payouts import make_partner
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

VK_MANAGER, TG_ADMIN, PARTNER = 800, 903, 111


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services) as harness:
        yield harness


async def test_vk_manager_adjusts_and_a_telegram_admin_approves(services, vk):
    partner = await make_partner(services, PARTNER)
    await vk.send(VK_MANAGER, "/admin")
    assert "adj:home" in vk.buttons(VK_MANAGER)
    await vk.press(VK_MANAGER, "adj:home")
    await vk.press(VK_MANAGER, "adj:new")
    await vk.send(VK_MANAGER, "нет")
    assert "Это не номер партнёра" in vk.texts(VK_MANAGER)[-2]
    await vk.send(VK_MANAGER, str(partner))
    await vk.send(VK_MANAGER, "+300")
    await vk.send(VK_MANAGER, "Приз за конкурс")
    assert vk.buttons(VK_MANAGER) == ["adj:ok:1", "adj:no:1"]
    await vk.press(VK_MANAGER, "adj:ok:1")
    assert "✅ Проведена" in vk.last(VK_MANAGER).text

    await vk.send(VK_MANAGER, "корректировка")  # the ru alias, bare as VK people type it
    await vk.press(VK_MANAGER, "adj:new")
    await vk.send(VK_MANAGER, f"#{partner}")
    await vk.send(VK_MANAGER, "-7000")
    await vk.send(VK_MANAGER, "Возврат за фрод")
    await vk.press(VK_MANAGER, "adj:ok:2")
    assert "Отправлена администраторам" in vk.last(VK_MANAGER).text
    await vk.press(VK_MANAGER, "adj:ap:2")  # a manager cannot approve, on VK either
    tg = TelegramHarness(services)
    await tg.press(TG_ADMIN, "adj:ap:2")
    assert "✅ Проведена" in tg.last(TG_ADMIN).text
    async with services.deps.uow(readonly=True) as uow:
        amounts = (await uow.session.scalars(select(LedgerEntry.amount).where(LedgerEntry.kind == "adjustment")
                                             .order_by(LedgerEntry.id))).all()
    assert amounts == [Decimal("300.0000"), Decimal("-7000.0000")]
