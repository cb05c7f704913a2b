"""FAQ on VK: /faq, categories and answers with feedback; managers edit it from /admin."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.respond import command, event_prefix, run_event, run_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("faq", "вопросы"))
    async def faq_command(message: Message) -> None:
        await run_message(message, services, services.faq.home)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_prefix("fq:", "fqa:"))
    async def buttons(event: MessageEvent) -> None:
        await run_event(api, event, services, services.faq.on_action)
