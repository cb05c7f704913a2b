"""Staff tools on VK: /admin → offers (create, edit, pause) and conversion review."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.respond import command, event_prefix, run_event, run_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("admin"))
    async def admin_command(message: Message) -> None:
        await run_message(message, services, services.offers.admin_menu)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_prefix("adm:"))
    async def buttons(event: MessageEvent) -> None:
        await run_event(api, event, services, services.admin_action)
