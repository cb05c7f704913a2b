"""Support on VK: /support for partners; answers arrive from the staff chat (Telegram) through the outbox."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.respond import command, event_prefix, run_event, run_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("support", "поддержка"))
    async def support_command(message: Message) -> None:
        await run_message(message, services, services.support.open)

    @labeler.private_message(func=command("tickets"))
    async def tickets_command(message: Message) -> None:
        await run_message(message, services, services.support.list_open)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_prefix("sup:"))
    async def buttons(event: MessageEvent) -> None:
        await run_event(api, event, services, services.support.on_action)
