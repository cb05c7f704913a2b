"""Notification bursts: 2 000 conversion notices for one partner within a minute become one live summary."""
from __future__ import annotations

import itertools

from sqlalchemy import func, select

from services.db.messaging_models import NotificationBurst
from services.db.models import OutboxMessage
from services.kernel.dto import Screen
from services.messaging.outbox import OutboxDispatcher
from tests.fakes.tg_harness import TelegramHarness

_ids = itertools.count(1)


async def notice(services, chat_id: str = "111", status: str = "approved", value: str = "30.00",
                 currency: str = "RUB", kind: str = "conversion", count: int = 1) -> None:
    async with services.deps.uow() as uow:
        for _ in range(count):
            screen = Screen("conv-notify", {"id": str(next(_ids)), "offer": "School", "sub1": "—", "status": status,
                                            "amount": f"{value} {currency}", "value": value, "currency": currency,
                                            "known": "yes", "payable": "yes", "why": "", "reason_kind": "none",
                                            "reason": "", "available": "0.00 RUB", "hold": "0.00 RUB"})
            await uow.outbox.add(messenger="telegram", chat_id=chat_id, locale="en", kind=kind,
                                 screen=screen.to_dict(), now=services.deps.clock.now())
        await uow.commit()


def shown(tg: TelegramHarness, chat: int = 111) -> list:
    return [c for c in tg.session.calls if c.name in ("sendMessage", "editMessageText")
            and str(c.method.chat_id) == str(chat)]


async def test_two_thousand_notices_in_a_minute_become_a_few_messages(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    await notice(services)
    await dispatcher.dispatch_once()
    assert len(shown(tg)) == 1 and "approved" in tg.texts(111)[0]  # the first one at once, on its own
    for second in range(60):  # then the other 1 999 over a minute
        await notice(services, status="pending" if second % 2 else "approved", count=33 if second < 59 else 52)
        while await dispatcher.dispatch_once():
            pass
        clock.advance(seconds=1)
    clock.advance(seconds=10)
    await dispatcher.dispatch_once()  # the last edit
    calls = shown(tg)
    assert len(calls) <= 20, len(calls)
    async with services.deps.uow() as uow:
        pending = await uow.session.scalar(select(func.count(OutboxMessage.id)).where(
            OutboxMessage.status != "sent"))
        burst = await uow.session.scalar(select(NotificationBurst))
    assert pending == 0
    individual = sum(1 for c in calls if c.name == "sendMessage" and "conversion updates" not in c.method.text)
    assert burst.summary["count"] + individual == 2000  # every notice is accounted for, once
    final = calls[-1].method.text
    assert f"{burst.summary['count']} conversion updates" in final
    assert "Earned: +" in final and "RUB" in final
    assert [b.callback_data for row in calls[-1].method.reply_markup.inline_keyboard for b in row] == ["menu:stats"]
    assert burst.dirty is False


async def test_single_notices_still_come_one_by_one(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    for _ in range(3):
        await notice(services)
        await dispatcher.dispatch_once()
        clock.advance(seconds=45)  # 2 within any minute: below the threshold
    texts = tg.texts(111)
    assert len(texts) == 3 and all("Conversion #" in t for t in texts)
    async with services.deps.uow() as uow:
        assert await uow.session.scalar(select(func.count(NotificationBurst.id))) == 0


async def test_other_chats_are_not_folded(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    for _ in range(5):
        await notice(services, chat_id="111")
    await notice(services, chat_id="222")
    await dispatcher.dispatch_once()
    assert len(shown(tg, 222)) == 1 and "Conversion #" in shown(tg, 222)[0].method.text
    assert len(shown(tg, 111)) == 1 and "5 conversion updates" in shown(tg, 111)[0].method.text


async def test_a_failed_edit_is_shown_later_and_nothing_is_lost(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    for _ in range(4):
        await notice(services)
    await dispatcher.dispatch_once()
    assert "4 conversion updates" in shown(tg)[-1].method.text
    clock.advance(seconds=6)
    tg.session.fail("editMessageText", 429, "Too Many Requests: retry after 3", retry_after=3)
    for _ in range(3):
        await notice(services)
    await dispatcher.dispatch_once()  # folded; the edit was refused
    async with services.deps.uow() as uow:
        burst = await uow.session.scalar(select(NotificationBurst))
    assert burst.summary["count"] == 7 and burst.dirty is True
    clock.advance(seconds=6)
    await dispatcher.dispatch_once()  # flush catches up
    assert "7 conversion updates" in shown(tg)[-1].method.text


async def test_a_summary_that_cannot_be_edited_is_sent_anew(services, clock):
    tg = TelegramHarness(services)
    dispatcher = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    for _ in range(3):
        await notice(services)
    await dispatcher.dispatch_once()
    clock.advance(seconds=6)
    tg.session.fail("editMessageText", 400, "Bad Request: message to edit not found")
    await notice(services)
    await dispatcher.dispatch_once()
    sends = [c for c in shown(tg) if c.name == "sendMessage"]
    assert len(sends) == 2 and "4 conversion updates" in sends[-1].method.text
