"""/dashboard on VK through the real production VK bot: the same personal sign-in link as on Telegram."""
from __future__ import annotations

from collections.abc import AsyncIterator
from urllib.parse import urlsplit

import pytest

from services.db.models import MessengerAccount
from tests.fakes.dashboard import seed_partner
from tests.fakes.vk_harness import VkHarness

USER = 111


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    async with VkHarness(services) as harness:
        yield harness


async def vk_partner(deps, status: str = "approved") -> int:
    seeded = await seed_partner(deps, 9001, name="Vera", status=status, links=(), sales=())
    async with deps.uow() as uow:
        uow.session.add(MessengerAccount(partner_id=seeded.partner_id, messenger="vk", external_id=str(USER),
                                         chat_id=str(USER), created_at=deps.clock.now()))
        await uow.commit()
    return seeded.partner_id


@pytest.mark.parametrize("text", ["/dashboard", "дашборд", "Дашборд"])
async def test_dashboard_answers_with_a_personal_sign_in_link(services, vk, text):
    partner_id = await vk_partner(services.deps)
    await vk.send(USER, text, lang_id=3)
    message = vk.last(USER)
    url = next(word for word in message.text.split() if word.startswith("https://"))
    assert urlsplit(url).path == "/app/login"
    assert url.split("t=")[1].startswith(f"{partner_id}.")
    assert message.keyboard is not None and "open_link" in str(message.keyboard)
    reply = await services.dashboard.login(url.split("t=")[1])
    assert reply[1] is not None  # the link opens a session for this partner


async def test_dashboard_waits_for_approval(services, vk):
    await vk_partner(services.deps, status="applied")
    await vk.send(USER, "/dashboard", lang_id=3)
    assert vk.last(USER).text == "This section opens after your application is approved."
