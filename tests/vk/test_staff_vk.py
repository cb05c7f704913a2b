"""/admin → Staff on VK (the real vkbottle labelers over FakeVK): the same use case as on Telegram."""
from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select

from services.db.models import StaffRole
from tests.conftest import STAFF_SEED
from tests.fakes.vk_harness import VkHarness

VK_ADMIN, VK_MANAGER, NEWCOMER = 801, 800, 802


@pytest.fixture
async def vk(services) -> AsyncIterator[VkHarness]:
    await services.seed_staff([*STAFF_SEED, ("vk", str(VK_ADMIN), "admin")])
    async with VkHarness(services) as harness:
        yield harness


async def roles(services, user: int) -> list[tuple[str, str]]:
    async with services.deps.uow() as uow:
        found = await uow.session.scalars(select(StaffRole).where(
            StaffRole.messenger == "vk", StaffRole.external_id == str(user)))
        return [(r.role, r.source) for r in found.all()]


async def test_vk_admin_grants_and_revokes(services, vk):
    await vk.send(VK_MANAGER, "/admin")
    assert "adm:staff" not in vk.buttons(VK_MANAGER)
    await vk.send(VK_ADMIN, "/admin")
    assert "adm:staff" in vk.buttons(VK_ADMIN)
    await vk.press(VK_ADMIN, "adm:staff")
    assert f"vk:{VK_ADMIN} — admin (env)" in vk.last(VK_ADMIN).text

    await vk.press(VK_ADMIN, "adm:stg")
    await vk.press(VK_ADMIN, "fm:1")  # VK
    await vk.send(VK_ADMIN, "-5")
    assert "положительное число" in vk.texts(VK_ADMIN)[-2]
    await vk.send(VK_ADMIN, str(NEWCOMER))
    await vk.press(VK_ADMIN, "fm:2")  # support
    await vk.press(VK_ADMIN, "fm:0")  # confirm
    assert await roles(services, NEWCOMER) == [("support", "bot")]

    async with services.deps.uow() as uow:
        role_id = await uow.session.scalar(select(StaffRole.id).where(StaffRole.external_id == str(NEWCOMER)))
    await vk.press(VK_ADMIN, f"adm:str:{role_id}")
    assert vk.buttons(VK_ADMIN) == [f"adm:stry:{role_id}", "adm:staff"]
    await vk.press(VK_ADMIN, f"adm:stry:{role_id}")
    assert await roles(services, NEWCOMER) == []
    assert await roles(services, VK_ADMIN) == [("admin", "env")]
