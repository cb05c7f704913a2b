"""Stats on VK: /stats [period] [by …] (also "stats" / "статистика"), its buttons."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.respond import command, event_prefix, run_event, run_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("stats", "статистика"))
    async def stats_command(message: Message) -> None:
        await run_message(message, services, services.stats.command)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_prefix("st:"))
    async def buttons(event: MessageEvent) -> None:
        await run_event(api, event, services, services.stats.on_action)
