"""Outbox delivery to Telegram: 429 retry_after, blocked users, network errors, no resend after a restart."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.db.models import OutboxMessage
from services.kernel.dto import Screen
from services.messaging.outbox import MAX_ATTEMPTS, OutboxDispatcher
from tests.fakes.tg_harness import TelegramHarness


async def enqueue(services, chat_id: str = "111", dedupe: str | None = None) -> int:
    async with services.deps.uow() as uow:
        row = await uow.outbox.add(messenger="telegram", chat_id=chat_id, locale="en", kind="test",
                                   screen=Screen("menu-title").to_dict(), now=services.deps.clock.now(),
                                   dedupe_key=dedupe)
        await uow.commit()
        return row.id


async def row(services, row_id: int) -> OutboxMessage:
    async with services.deps.uow() as uow:
        return await uow.session.scalar(select(OutboxMessage).where(OutboxMessage.id == row_id))


async def test_retry_after_is_honoured(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    row_id = await enqueue(services)
    tg.session.fail("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    assert await dispatcher.dispatch_once() == 1
    pending = await row(services, row_id)
    assert pending.status == "pending" and pending.next_attempt_at == clock.now() + timedelta(seconds=5)
    assert await dispatcher.dispatch_once() == 0  # not due yet
    clock.advance(seconds=5)
    assert await dispatcher.dispatch_once() == 1
    sent = await row(services, row_id)
    assert sent.status == "sent" and sent.attempts == 2 and sent.delivered_ref
    assert len(tg.session.of("sendMessage")) == 2  # the refused attempt and the delivery


async def test_blocked_user_fails_permanently_and_others_still_go(services):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    blocked, fine = await enqueue(services, "111"), await enqueue(services, "222")
    tg.session.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    assert await dispatcher.dispatch_once() == 2
    assert (await row(services, blocked)).status == "failed"
    assert (await row(services, fine)).status == "sent"


async def test_network_errors_back_off_then_give_up(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    row_id = await enqueue(services)
    for attempt in range(1, MAX_ATTEMPTS + 1):
        tg.session.fail("sendMessage", 502, "Bad Gateway")
        assert await dispatcher.dispatch_once() == 1
        current = await row(services, row_id)
        if attempt < MAX_ATTEMPTS:
            assert current.status == "pending" and current.attempts == attempt
            clock.current = current.next_attempt_at
    assert (await row(services, row_id)).status == "failed"


async def test_a_restarted_dispatcher_never_resends(services, clock):
    tg = TelegramHarness(services)
    await enqueue(services, dedupe="once")
    await OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={}).dispatch_once()
    clock.advance(hours=1)
    assert await OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={}).dispatch_once() == 0
    assert len(tg.session.of("sendMessage")) == 1


async def test_a_crashed_send_is_taken_over_after_the_lease(services, clock):
    """A dispatcher that died mid-send left the row "sending": after the lease another one delivers it."""
    row_id = await enqueue(services)
    async with services.deps.uow() as uow:
        assert await uow.outbox.claim(row_id, clock.now(), timedelta(minutes=2)) is not None
        await uow.commit()
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    assert await dispatcher.dispatch_once() == 0
    clock.advance(minutes=3)
    assert await dispatcher.dispatch_once() == 1
    assert (await row(services, row_id)).status == "sent"


async def test_rows_for_a_messenger_not_configured_now_stay_pending(services, clock):
    async with services.deps.uow() as uow:
        vk_row = await uow.outbox.add(messenger="vk", chat_id="800", locale="en", kind="test",
                                      screen=Screen("menu-title").to_dict(), now=clock.now())
        await uow.commit()
    tg_row = await enqueue(services)
    tg = TelegramHarness(services)
    telegram_only = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    for _ in range(MAX_ATTEMPTS + 1):  # VK off for a long while: its row is never given up on
        await telegram_only.dispatch_once()
        clock.advance(hours=1)
    assert (await row(services, tg_row)).status == "sent"
    waiting = await row(services, vk_row.id)
    assert (waiting.status, waiting.attempts, waiting.last_error) == ("pending", 0, None)

    class VkNotifier:  # VK configured at the next start
        messenger = "vk"

        def __init__(self) -> None:
            self.sent: list[str] = []

        async def send(self, chat_id, screen, locale, dedupe_id, thread_id=None):
            self.sent.append(chat_id)

    vk = VkNotifier()
    await OutboxDispatcher(services.deps, {"telegram": tg.notifier, "vk": vk}, rates={}).dispatch_once()
    assert vk.sent == ["800"] and (await row(services, vk_row.id)).status == "sent"


async def test_a_row_from_a_newer_format_waits_instead_of_failing(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    async with services.deps.uow() as uow:
        future = {**Screen("menu-title").to_dict(), "v": 99}
        row_id = (await uow.outbox.add(messenger="telegram", chat_id="111", locale="en", kind="test",
                                       screen=future, now=clock.now())).id
        await uow.commit()
    assert await dispatcher.dispatch_once() == 1
    waiting = await row(services, row_id)
    assert waiting.status == "pending" and waiting.next_attempt_at > clock.now()
    assert tg.session.of("sendMessage") == []
