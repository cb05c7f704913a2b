"""The per-person serial lock is middleware on both messengers: one person's updates (messages and button presses)
run one at a time in arrival order, other people are not held up, and the lock is released when a handler raises."""
from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Hashable
from contextlib import asynccontextmanager
from dataclasses import replace

import pytest
from vkbottle import GroupEventType
from vkbottle.bot import BotLabeler
from vkbottle.exception_factory import ErrorHandler

from handlers.vk.middleware import SerialRawEventView
from services.kernel.dto import Incoming, Reply
from services.kernel.locks import KeyedLock
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

PERSON, OTHER = 111, 222


class WatchedLocks(KeyedLock):
    """Counts how many holds were asked for, so a test can wait until an update queues behind another."""

    def __init__(self) -> None:
        super().__init__()
        self.asked = 0
        self._tick = asyncio.Event()

    @asynccontextmanager
    async def hold(self, key: Hashable) -> AsyncIterator[None]:
        self.asked += 1
        self._tick.set()
        self._tick = asyncio.Event()
        async with super().hold(key):
            yield

    async def until(self, ready: Callable[[], bool]) -> None:
        while not ready():
            await asyncio.wait_for(self._tick.wait(), 5)


class Links:
    """Stands in for the links feature: /link waits for a gate, its buttons just record who pressed."""

    def __init__(self, services) -> None:
        self.gate, self.started = asyncio.Event(), asyncio.Event()
        self.order: list[str] = []
        self.fail = False
        services.user_locks = self.locks = WatchedLocks()
        services.features = tuple(
            replace(f, commands=tuple(replace(c, handler=self.command) for c in f.commands),
                    buttons=tuple(replace(b, handler=self.button) for b in f.buttons)) if f.name == "links" else f
            for f in services.features)

    async def command(self, inc: Incoming) -> Reply:
        if self.fail:
            raise RuntimeError("boom")
        self.started.set()
        await self.gate.wait()
        self.order.append(f"command {inc.user_id}")
        return Reply()

    async def button(self, inc: Incoming) -> Reply:
        self.order.append(f"button {inc.user_id}")
        return Reply()


async def test_telegram_runs_one_persons_updates_one_at_a_time(services):
    links = Links(services)
    tg = TelegramHarness(services)
    first = asyncio.create_task(tg.send(PERSON, "/link"))
    await asyncio.wait_for(links.started.wait(), 5)
    second = asyncio.create_task(tg.press(PERSON, "lnk:1"))
    await links.locks.until(lambda: links.locks.asked == 2)  # the press queues behind the command
    await tg.press(OTHER, "lnk:1")  # someone else is not held up
    assert links.order == [f"button {OTHER}"]
    links.gate.set()
    await asyncio.gather(first, second)
    assert links.order == [f"button {OTHER}", f"command {PERSON}", f"button {PERSON}"]
    assert len(links.locks) == 0


async def test_vk_runs_one_persons_updates_one_at_a_time(services):
    links = Links(services)
    async with VkHarness(services) as vk:
        first = vk.vk.push_message(PERSON, "/link")  # message_new
        await asyncio.wait_for(links.started.wait(), 5)
        second = vk.vk.push_event(PERSON, {"a": "lnk:1"})  # message_event
        await links.locks.until(lambda: links.locks.asked == 2)
        await vk.press(OTHER, "lnk:1")
        assert links.order == [f"button {OTHER}"]
        links.gate.set()
        await vk.handled(first)
        await vk.handled(second)
    assert links.order == [f"button {OTHER}", f"command {PERSON}", f"button {PERSON}"]
    assert len(links.locks) == 0


async def test_a_failing_handler_releases_the_lock_on_both_messengers(services):
    links = Links(services)
    links.fail = True
    tg = TelegramHarness(services)
    with pytest.raises(RuntimeError):
        await tg.send(PERSON, "/link")
    assert len(links.locks) == 0
    await tg.press(PERSON, "lnk:1")  # the person is not locked out
    async with VkHarness(services) as vk:
        update = vk.vk.push_message(PERSON, "/link")
        with pytest.raises(AssertionError, match="boom"):  # the harness reports what vkbottle swallowed…
            await vk.handled(update)
        vk.errors.clear()
        vk.vk.errors.clear()
        await vk.handled(update)  # …as soon as it is reported: wait for the update's end
        assert len(links.locks) == 0
        await vk.press(PERSON, "lnk:1")
    assert links.order == [f"button {PERSON}", f"button {PERSON}"]


async def test_vk_lock_is_released_even_when_the_error_handler_reraises():
    """Why the VK lock wraps the view instead of a BaseMiddleware: post() would never run here."""
    locks = KeyedLock()
    view = SerialRawEventView(locks, ErrorHandler(raise_exceptions=True))
    labeler = BotLabeler(raw_event_view=view)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, dict)
    async def boom(event: dict) -> None:
        raise RuntimeError("boom")

    event = {"type": "message_event", "object": {"user_id": PERSON, "peer_id": PERSON, "payload": {"a": "x:"}}}
    with pytest.raises(RuntimeError):
        await view.handle_event(event, None, None)  # type: ignore[arg-type]
    assert len(locks) == 0
