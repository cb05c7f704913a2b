"""The VkHarness itself: errors surface, shutdown leaves nothing behind, the polling state stays out of the cwd."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tests.fakes.vk_api import FakeVK
from tests.fakes.vk_harness import VkHarness


async def boom(inc):
    raise RuntimeError("use case bug")


async def test_handler_exception_fails_the_wait(services):
    async with VkHarness(services) as vk:
        services.conversation.on_text = boom  # what the VK catch-all calls for free text
        with pytest.raises(AssertionError, match="use case bug") as info:
            await vk.send(42, "hello")
        assert isinstance(info.value.__cause__, RuntimeError)
        vk.errors.clear()  # expected here; otherwise leaving the block fails the test


async def test_unconsumed_exception_fails_on_exit(services):
    with pytest.raises(AssertionError, match="the VK bot raised"):
        async with VkHarness(services) as vk:
            services.conversation.on_text = boom
            update = vk.vk.push_message(42, "hello")
            with pytest.raises(AssertionError):
                await vk.handled(update)


async def test_polling_that_cannot_start_fails_the_enter(services):
    async with FakeVK() as fake:
        fake.fail_next("groups.getLongPollServer", code=15, msg="Access denied: group messages are disabled")
        with pytest.raises(AssertionError, match="Access denied"):
            async with VkHarness(services, fake):
                pass


async def test_clean_shutdown_and_no_state_file(services, tmp_path: Path, monkeypatch):
    cwd = tmp_path / "cwd"
    cwd.mkdir()
    monkeypatch.chdir(cwd)  # where BotPolling would write .vkbottle/bot-polling/<group>.json
    before = asyncio.all_tasks()
    async with VkHarness(services) as vk:
        await vk.send(42, "hello")
        await vk.press(42, "ob:lang:en")
        assert vk.texts(42)[-1].startswith("1/5")
    assert asyncio.all_tasks() == before  # polling, handlers, FakeVK's server: all gone
    assert vk.http is not None and vk.http.session is not None and vk.http.session.closed
    assert vk.state["ts"]  # kept in memory instead
    assert list(cwd.iterdir()) == []


async def test_updates_without_a_matching_handler_still_complete(services):
    async with VkHarness(services) as vk:
        # a message_event from a group chat, and a raw update type nobody handles
        await vk.handled(vk.vk.push_raw({"group_id": 1, "type": "message_typing_state", "event_id": "typing-1",
                                         "v": "5.199", "object": {"state": "typing", "from_id": 42, "to_id": -1}}))
        assert vk.vk.sent == []
