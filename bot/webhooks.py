"""Telegram webhooks and the VK Callback API, served by the same aiohttp app as /r and /postback.

Updates are handled before the 200 is sent (not in the background): if a worker dies mid-update, the platform
sees no 2xx and delivers the update again, so nothing a partner sent is lost. A redelivered update that was in
fact handled is dropped by its id (Telegram update_id, VK event_id), so nothing is handled twice either.
"""
from __future__ import annotations

import hmac
import json
import logging
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram.webhook.aiohttp_server import SimpleRequestHandler
from aiohttp import web

from services.shared.dedup import Deduplicator, LocalDeduplicator

log = logging.getLogger(__name__)

TELEGRAM_UPDATES = ["message", "callback_query", "my_chat_member"]


class _TelegramHandler(SimpleRequestHandler):
    def __init__(self, dispatcher: Dispatcher, bot: Bot, secret: str, dedup: Deduplicator) -> None:
        super().__init__(dispatcher, bot, handle_in_background=False, secret_token=secret)
        self.dedup = dedup

    async def handle(self, request: web.Request) -> web.Response:
        if not self.verify_secret(request.headers.get("X-Telegram-Bot-Api-Secret-Token", ""), self.bot):
            return web.Response(status=401, text="Unauthorized")
        try:
            update_id = (await request.json(loads=json.loads)).get("update_id")
        except (ValueError, AttributeError):
            return web.Response(status=400, text="Bad update")
        if update_id is not None and not await self.dedup.first_time(f"tg:{self.bot.id}:{update_id}"):
            return web.json_response({})  # a redelivery of an update already handled
        return await super().handle(request)


def add_telegram_webhook(app: web.Application, dispatcher: Dispatcher, bot: Bot, *, path: str, secret: str,
                         dedup: Deduplicator | None = None) -> None:
    if not secret:
        raise ValueError("a Telegram webhook needs a secret token")
    _TelegramHandler(dispatcher, bot, secret, dedup or LocalDeduplicator()).register(app, path=path)


async def set_telegram_webhook(bot: Bot, url: str, secret: str, max_connections: int = 40) -> None:
    await bot.set_webhook(url, secret_token=secret, allowed_updates=TELEGRAM_UPDATES,
                          max_connections=max_connections, drop_pending_updates=False)
    log.info("Telegram webhook set to %s", url)


async def use_telegram_polling(bot: Bot) -> None:
    """Switching back to long polling: Telegram refuses getUpdates while a webhook is set."""
    await bot.delete_webhook(drop_pending_updates=False)


def add_vk_callback(app: web.Application, vk_bot: Any, *, path: str, group_id: int, confirmation: str,
                    secret: str, dedup: Deduplicator | None = None) -> None:
    """VK Callback API: answers the confirmation request, checks the secret, hands events to the labelers."""
    if not secret:
        raise ValueError("a VK callback server needs a secret key")
    seen = dedup or LocalDeduplicator()

    async def callback(request: web.Request) -> web.Response:
        try:
            event = await request.json(loads=json.loads)
        except ValueError:
            return web.Response(status=400, text="Bad event")
        if not isinstance(event, dict) or not hmac.compare_digest(str(event.get("secret", "")), secret):
            return web.Response(status=401, text="Unauthorized")
        if event.get("group_id") not in (group_id, str(group_id)):
            return web.Response(status=403, text="Wrong group")
        if event.get("type") == "confirmation":
            return web.Response(text=confirmation)
        event_id = event.get("event_id")
        if event_id and not await seen.first_time(f"vk:{group_id}:{event_id}"):
            return web.Response(text="ok")
        await vk_bot.process_event(event, vk_bot.api)
        return web.Response(text="ok")  # VK redelivers anything not answered "ok"

    app.router.add_post(path, callback)


async def register_vk_callback(vk_bot: Any, group_id: int, url: str, secret: str, title: str = "partnerbot") -> int:
    """Adds (or finds) our callback server and subscribes it to the events the bot handles; long poll off."""
    api = vk_bot.api
    servers = (await api.request("groups.getCallbackServers", {"group_id": group_id}))["response"]["items"]
    server_id = next((s["id"] for s in servers if s.get("url") == url), None)
    if server_id is None:
        added = await api.request("groups.addCallbackServer",
                                  {"group_id": group_id, "url": url, "title": title, "secret_key": secret})
        server_id = added["response"]["server_id"]
    await api.request("groups.setCallbackSettings", {"group_id": group_id, "server_id": server_id,
                                                     "api_version": api.API_VERSION, "message_new": 1,
                                                     "message_event": 1})
    await api.request("groups.setLongPollSettings", {"group_id": group_id, "enabled": 0})
    log.info("VK callback server #%s at %s", server_id, url)
    return int(server_id)


async def use_vk_long_poll(vk_bot: Any, group_id: int) -> None:
    """Switching back to Bots Long Poll: enable it with the events the bot handles."""
    await vk_bot.api.request("groups.setLongPollSettings", {
        "group_id": group_id, "enabled": 1, "api_version": vk_bot.api.API_VERSION, "message_new": 1,
        "message_event": 1})
