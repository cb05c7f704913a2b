"""The manager's broadcast flow through both messengers: ONE scenario — /broadcast, compose, a bad button line,
audience by tier then everyone, the count and a preview, send (double tap), delivery with one partner who
blocked the bot, a late Pause, the report and its CSV, a partner trying the controls — run through Telegram
(real Dispatcher) and VK (real vkbottle bot), each on a fresh database. Texts, buttons, toasts and rows agree."""
from __future__ import annotations

import re
from typing import Any

from aiogram.types import InlineKeyboardMarkup
from sqlalchemy import select

from services.broadcasts.sender import BroadcastSender, SenderPolicy
from services.db.broadcast_models import Broadcast, BroadcastRecipient
from services.messaging.outbox import OutboxDispatcher
from tests.e2e.test_parity import MANAGER, reset_database
from tests.fakes.broadcasts import add_partner
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

PARTNERS = (501, 502, 503)  # 501 blocked the bot
SCENARIO: list[tuple[str, ...]] = [
    ("text", "/broadcast"),
    ("press", "bc:new"),
    ("text", "Big news: new offer"),
    ("text", "Open https://shop.example.com"),  # no "|"
    ("text", "Open | https://shop.example.com"),
    ("press", "bc:ak:1:tier"),
    ("press", "bc:av:1:tier:gold"),
    ("press", "bc:aud:1"),
    ("press", "bc:ak:1:all"),
    ("partner", "bc:go:1"),  # not a manager
    ("press", "bc:go:1"),
    ("press", "bc:go:1"),  # double tap
    ("send",),
    ("press", "bc:ctl:1:pause"),  # too late: finished
    ("deliver",),
    ("press", "bc:csv:1"),
]


class Leg:
    messenger: str

    def __init__(self, services, tg: TelegramHarness, vk: VkHarness) -> None:
        self.services, self.tg, self.vk = services, tg, vk
        self.notifier = tg.notifier if self.messenger == "telegram" else vk.notifier
        services.broadcasts.senders = {self.messenger: self.notifier}
        self.sender = BroadcastSender(services.deps, {self.messenger: self.notifier},
                                      {self.messenger: self.notifier}, policy=SenderPolicy(in_flight=1))
        self.outbox = OutboxDispatcher(services.deps, {self.messenger: self.notifier}, rates={})

    async def send(self) -> None:
        self.block(PARTNERS[0])
        while await self.sender.step():
            pass

    async def deliver(self) -> None:
        while await self.outbox.dispatch_once():
            pass


class TelegramLeg(Leg):
    messenger = "telegram"

    async def text(self, value: str) -> None:
        await self.tg.send(MANAGER["telegram"], value, language_code="ru", first_name="Maria")

    async def press(self, action: str) -> None:
        await self.tg.press(MANAGER["telegram"], action, language_code="ru", first_name="Maria")

    async def partner(self, action: str) -> None:
        await self.tg.press(PARTNERS[1], action, language_code="en")

    def block(self, chat: int) -> None:
        self.tg.session.fail("sendMessage", 403, "Forbidden: bot was blocked by the user")

    def views(self, chat: int) -> list[tuple[str, str, tuple[str, ...]]]:
        out = []
        for call in self.tg.session.calls:
            if call.name in ("sendMessage", "editMessageText") and str(call.method.chat_id) == str(chat):
                markup = call.method.reply_markup
                actions = tuple(b.callback_data for row in markup.inline_keyboard for b in row if b.callback_data) \
                    if isinstance(markup, InlineKeyboardMarkup) else ()
                out.append(("send" if call.name == "sendMessage" else "edit", call.method.text, actions))
        return out

    def toasts(self) -> list[str | None]:
        return self.tg.toasts()


class VkLeg(Leg):
    messenger = "vk"

    async def text(self, value: str) -> None:
        await self.vk.send(MANAGER["vk"], value)

    async def press(self, action: str) -> None:
        await self.vk.press(MANAGER["vk"], action)

    async def partner(self, action: str) -> None:
        await self.vk.press(PARTNERS[1], action)

    def block(self, chat: int) -> None:
        self.vk.vk.blocked.add(chat)

    def views(self, chat: int) -> list[tuple[str, str, tuple[str, ...]]]:
        return [(s.kind, s.text or "", tuple(s.actions())) for s in self.vk.shown(chat)]

    def toasts(self) -> list[str | None]:
        return self.vk.snackbars()


async def _run(services, leg_type: type[Leg]) -> dict[str, Any]:
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        vk.vk.users[MANAGER["vk"]] = {"first_name": "Maria", "last_name": ""}
        leg = leg_type(services, tg, vk)
        for n, user in enumerate(PARTNERS):
            await add_partner(services, user, messenger=leg.messenger, tier="gold" if n < 2 else "certified",
                              locale="en")
        for verb, *args in SCENARIO:
            await getattr(leg, verb)(*args)
        async with services.deps.uow(readonly=True) as uow:
            rows = [(r.partner_id, r.status, r.attempts, (r.error or "")[:0]) for r in (await uow.session.scalars(
                select(BroadcastRecipient).order_by(BroadcastRecipient.id))).all()]
            broadcasts = [(b.status, b.audience, b.text, b.button_label, b.button_url)
                          for b in (await uow.session.scalars(select(Broadcast))).all()]
        per_messenger = re.compile(r"\(Telegram \d+, VK \d+\)")  # the one line that names the messenger
        manager = [(kind, per_messenger.sub("(…)", text), actions) for kind, text, actions
                   in leg.views(MANAGER[leg.messenger])]
        return {"manager": manager, "raw_manager": leg.views(MANAGER[leg.messenger]), "partners": [leg.views(p) for p in PARTNERS],
                "toasts": leg.toasts(), "rows": rows, "broadcasts": broadcasts}


async def test_broadcast_flow_agrees_on_telegram_and_vk(services, clock):
    start = clock.now()
    await reset_database(services, start, clock)
    telegram = await _run(services, TelegramLeg)
    await reset_database(services, start, clock)
    vk = await _run(services, VkLeg)

    t = services.translator
    assert telegram["rows"] == [(1, "unreachable", 1, ""), (2, "sent", 1, ""), (3, "sent", 1, "")]
    assert telegram["broadcasts"] == [("done", {"kind": "all"}, "Big news: new offer", "Open",
                                       "https://shop.example.com")]
    assert telegram["partners"][1] == [("send", "Big news: new offer", ())]
    texts = [v[1] for v in telegram["raw_manager"]]
    assert t("ru", "bc-err-button") in texts and texts.count("Big news: new offer") == 2  # two previews
    assert any("Получателей: 2 (Telegram 2, VK 0)" in x for x in texts)
    assert any("Получателей: 3 (Telegram 3, VK 0)" in x for x in texts)
    assert any("Рассылка #1 завершена: отправлено 2, ошибки 0, заблокировали бота 1" in x for x in texts)
    assert t("en", "err-not-allowed") in telegram["toasts"]
    assert t("ru", "bc-finished") in telegram["toasts"]

    assert vk["rows"] == telegram["rows"] and vk["broadcasts"] == telegram["broadcasts"]
    assert vk["toasts"] == telegram["toasts"]
    assert vk["partners"][1:] == telegram["partners"][1:]  # the blocked one: a refused call (TG) / a per-peer error
    assert vk["partners"][0] == []
    for position, (seen_tg, seen_vk) in enumerate(zip(telegram["manager"], vk["manager"])):
        assert seen_vk == seen_tg, f"manager's message #{position} differs"
    assert len(vk["manager"]) == len(telegram["manager"])
