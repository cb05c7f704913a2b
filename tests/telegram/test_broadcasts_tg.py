"""Broadcasts through Telegram: a manager composes a formatted post with a link button, picks a tier, sees the
count and a preview, sends it; the sender honours a 429, marks a partner who blocked the bot, shows live
progress and ends with a report whose CSV lists the failures. Partners cannot broadcast."""
from __future__ import annotations

import itertools
from datetime import UTC, datetime

from aiogram.types import Chat, Message, MessageEntity, Update, User
from sqlalchemy import select

from services.broadcasts.sender import BroadcastSender, SenderPolicy
from services.db.broadcast_models import BroadcastRecipient
from services.db.models import MessengerAccount
from services.messaging.outbox import OutboxDispatcher
from tests.fakes.broadcasts import add_partner
from tests.fakes.tg_harness import TelegramHarness

MANAGER, PARTNER = 900, 111
_ids = itertools.count(5000)


async def send_formatted(tg: TelegramHarness, user: int, text: str, entities: list[MessageEntity]) -> None:
    message = Message(message_id=next(_ids), date=datetime.now(UTC), chat=Chat(id=user, type="private"),
                      from_user=User(id=user, is_bot=False, first_name="Maria", language_code="ru"),
                      text=text, entities=entities)
    await tg.dp.feed_update(tg.bot, Update(update_id=next(_ids), message=message))


async def drain(sender: BroadcastSender) -> None:
    while await sender.step():
        pass


async def test_manager_broadcast_end_to_end(services, clock):
    await add_partner(services, 111, tier="gold", locale="en")
    await add_partner(services, 112, tier="gold")
    await add_partner(services, 113, tier="certified")
    tg = TelegramHarness(services)
    services.broadcasts.senders["telegram"] = tg.notifier

    await tg.send(PARTNER, "/broadcast")
    assert tg.last(PARTNER).text == services.translator("en", "err-not-allowed")
    await tg.send(MANAGER, "/admin")
    assert "bc:home" in tg.buttons(MANAGER)
    await tg.send(MANAGER, "/рассылка")
    assert tg.buttons(MANAGER) == ["bc:new"]
    await tg.press(MANAGER, "bc:new")
    assert "Пришлите сообщение для партнёров" in tg.last(MANAGER).text
    bold = MessageEntity(type="bold", offset=0, length=11)
    link = MessageEntity(type="text_link", offset=12, length=4, url="https://shop.example.com/sale")
    await send_formatted(tg, MANAGER, "Black Friday сайт: −50%", [bold, link])
    await tg.send(MANAGER, "Купить https://shop.example.com")  # no separator
    assert tg.last(MANAGER).text == services.translator("ru", "bc-err-button")
    await tg.send(MANAGER, "Купить | https://shop.example.com")
    assert "bc:ak:1:tier" in tg.buttons(MANAGER)
    await tg.press(MANAGER, "bc:ak:1:tier")
    await tg.press(MANAGER, "bc:av:1:tier:diamond")  # forged
    assert tg.toasts()[-1] == services.translator("ru", "err-stale-button")
    tg.clear()
    await tg.press(MANAGER, "bc:av:1:tier:gold")
    preview, summary = tg.session.of("sendMessage")[-2:]
    assert preview.method.text == "Black Friday сайт: −50%" and preview.method.chat_id == MANAGER
    assert [(e.type, e.offset, e.length) for e in preview.method.entities] == [("bold", 0, 11), ("text_link", 12, 4)]
    assert preview.method.reply_markup.inline_keyboard[0][0].url == "https://shop.example.com"
    assert "Получателей: 2 (Telegram 2, VK 0)" in summary.method.text and "уровень gold" in summary.method.text
    await tg.press(MANAGER, "bc:go:1")
    assert "Рассылка #1 началась: получателей 2" in tg.last(MANAGER).text
    await tg.press(MANAGER, "bc:go:1")  # double tap
    assert tg.toasts()[-1] == services.translator("ru", "err-stale-button")

    tg.clear()
    tg.session.fail("sendMessage", 429, "Too Many Requests: retry after 5", retry_after=5)
    sender = BroadcastSender(services.deps, {"telegram": tg.notifier}, {"telegram": tg.notifier},
                             policy=SenderPolicy(in_flight=1))
    await drain(sender)
    progress = tg.last(MANAGER)
    assert "▓" not in progress.text and "осталось 2" in progress.text
    assert tg.buttons(MANAGER) == ["bc:ctl:1:pause", "bc:ctl:1:cancel"]
    clock.advance(seconds=5)
    tg.session.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")
    await drain(sender)
    to_partners = [c.method for c in tg.session.of("sendMessage") if c.method.chat_id in (111, 112)]
    assert [m.chat_id for m in to_partners] == [111, 111, 112]  # 429, 403, delivered
    assert to_partners[-1].entities[1].url == "https://shop.example.com/sale"
    final = tg.last(MANAGER)
    assert final.text.startswith("📣 Рассылка #1: завершена") and "отправлено 1" in final.text
    assert "заблокировали бота 1" in final.text and tg.buttons(MANAGER) == ["bc:csv:1"]
    async with services.deps.uow(readonly=True) as uow:
        recipients = (await uow.session.scalars(select(BroadcastRecipient).order_by(BroadcastRecipient.id))).all()
        blocked = await uow.session.scalar(select(MessengerAccount.unreachable_at).where(
            MessengerAccount.external_id == "111"))
    assert [(r.chat_id, r.status, r.attempts) for r in recipients] == [("111", "unreachable", 1), ("112", "sent", 1)]
    assert blocked is not None

    outbox = OutboxDispatcher(services.deps, {"telegram": tg.notifier}, rates={})
    while await outbox.dispatch_once():
        pass
    assert "Рассылка #1 завершена: отправлено 1, ошибки 0, заблокировали бота 1" in tg.last(MANAGER).text
    await tg.press(MANAGER, "bc:csv:1")
    document = tg.session.of("sendDocument")[-1].method
    assert document.document.filename == "broadcast-1-failures.csv"
    assert b"\r\n1,telegram,111,unreachable,Telegram server says - Forbidden: bot was blocked" in document.document.data
    await tg.press(PARTNER, "bc:csv:1")
    assert tg.toasts()[-1] == services.translator("en", "err-not-allowed")

    await tg.send(PARTNER, "hello again")  # writing to the bot again lifts the mark
    async with services.deps.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(MessengerAccount.unreachable_at).where(
            MessengerAccount.external_id == "111")) is None


async def test_pause_resume_cancel_buttons_and_schedule(services, clock):
    for user in range(1, 4):
        await add_partner(services, user)
    tg = TelegramHarness(services)
    await tg.send(MANAGER, "/broadcast")
    await tg.press(MANAGER, "bc:new")
    await tg.send(MANAGER, "Hello", photo=True)  # a photo with a caption
    await tg.press(MANAGER, "bc:skip:1")
    await tg.press(MANAGER, "bc:ak:1:all")
    await tg.press(MANAGER, "bc:when:1")
    assert "Europe/Moscow (сейчас 15.01.2026 15:00)" in tg.last(MANAGER).text
    await tg.send(MANAGER, "14:00")  # tomorrow, then: fine
    assert "16.01.2026 14:00" in tg.last(MANAGER).text
    await tg.press(MANAGER, "bc:ctl:1:cancel")
    assert tg.toasts()[-1] == "Отменено"
    await tg.press(MANAGER, "bc:ctl:1:cancel")
    assert tg.toasts()[-1] == "Уже сделано"

    await tg.press(MANAGER, "bc:new")
    await tg.send(MANAGER, "Second")
    await tg.press(MANAGER, "bc:skip:2")
    await tg.press(MANAGER, "bc:ak:2:active")
    await tg.send(MANAGER, "0")
    assert tg.last(MANAGER).text == services.translator("ru", "err-number-range", min=1, max=365)
    await tg.send(MANAGER, "30")
    assert "Получателей: 0" in tg.last(MANAGER).text
    await tg.press(MANAGER, "bc:ak:2:all")
    await tg.press(MANAGER, "bc:go:2")
    await tg.press(MANAGER, "bc:ctl:2:pause")
    assert tg.toasts()[-1] == "На паузе" and "на паузе" in tg.last(MANAGER).text
    assert tg.buttons(MANAGER) == ["bc:ctl:2:resume", "bc:ctl:2:cancel"]
    sender = BroadcastSender(services.deps, {"telegram": tg.notifier}, {"telegram": tg.notifier})
    await drain(sender)
    assert not [c for c in tg.session.of("sendMessage") if c.method.chat_id in (1, 2, 3)]
    await tg.press(MANAGER, "bc:ctl:2:resume")
    await tg.press(MANAGER, "bc:ctl:2:resume")
    assert tg.toasts()[-2:] == ["Продолжаем", "Уже сделано"]
    await drain(sender)
    assert sorted(c.method.chat_id for c in tg.session.of("sendMessage") if c.method.chat_id in (1, 2, 3)) == [1, 2, 3]
    await tg.press(MANAGER, "bc:ctl:2:pause")
    assert tg.toasts()[-1] == services.translator("ru", "bc-finished")
