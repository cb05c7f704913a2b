"""Telegram webhook and VK Callback API: the secret is checked, updates reach the real Dispatcher / labelers, and
a redelivered update is handled once."""
from __future__ import annotations

from datetime import UTC, datetime

from aiogram.types import Chat, Message, Update, User
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from vkbottle.http import AiohttpClient

from bot.vk import build_vk_bot
from bot.webhooks import add_telegram_webhook, add_vk_callback
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_api import FakeVK

SECRET = "s3cret-token_value"


def _start_update(update_id: int, user_id: int = 5150) -> dict:
    message = Message(message_id=1, date=datetime.now(UTC), chat=Chat(id=user_id, type="private"),
                      from_user=User(id=user_id, is_bot=False, first_name="Ann", language_code="en"), text="/start")
    return Update(update_id=update_id, message=message).model_dump(mode="json", exclude_none=True)


async def test_telegram_webhook_checks_the_secret_and_handles_each_update_once(services):
    tg = TelegramHarness(services)
    app = web.Application()
    add_telegram_webhook(app, tg.dp, tg.bot, path="/tg/webhook", secret=SECRET)
    async with TestClient(TestServer(app)) as client:
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "wrong"}):
            response = await client.post("/tg/webhook", json=_start_update(1), headers=headers)
            assert response.status == 401
        assert tg.session.calls == []  # nothing handled
        good = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
        response = await client.post("/tg/webhook", json=_start_update(2), headers=good)
        assert response.status == 200
        answered = len(tg.session.of("sendMessage"))
        assert answered >= 1  # /start answered before the 200
        response = await client.post("/tg/webhook", json=_start_update(2), headers=good)  # Telegram retried
        assert response.status == 200
        assert len(tg.session.of("sendMessage")) == answered


async def test_vk_callback_confirms_checks_the_secret_and_routes_to_the_labelers(services):
    async with FakeVK(group_id=7) as vk:
        http = AiohttpClient()
        vk_bot = build_vk_bot("vk-token", 7, vk.api_url, services, http_client=http)
        app = web.Application()
        add_vk_callback(app, vk_bot, path="/vk/callback", group_id=7, confirmation="a1b2c3", secret=SECRET)
        try:
            async with TestClient(TestServer(app)) as client:
                confirm = await client.post("/vk/callback", json={"type": "confirmation", "group_id": 7,
                                                                   "secret": SECRET})
                assert await confirm.text() == "a1b2c3"
                event = vk.push_message(4242, "hello")
                refused = await client.post("/vk/callback", json={**event, "secret": "nope"})
                assert refused.status == 401 and vk.sent == []
                other_group = await client.post("/vk/callback", json={**event, "group_id": 8, "secret": SECRET})
                assert other_group.status == 403 and vk.sent == []
                for _ in range(2):  # VK redelivers when it did not get "ok" in time
                    answer = await client.post("/vk/callback", json={**event, "secret": SECRET})
                    assert await answer.text() == "ok"
                assert len([s for s in vk.sent if s.peer_id == 4242]) == 1  # handled once: the welcome
        finally:
            await http.close()
