"""Settings on VK: language (also /language), time zone, notification mutes."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.respond import command, event_prefix, run_event, run_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("language", "язык"))
    async def language_command(message: Message) -> None:
        await run_message(message, services, services.settings.language_menu)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_prefix("set:"))
    async def buttons(event: MessageEvent) -> None:
        await run_event(api, event, services, services.settings.on_action)
