"""Onboarding on VK: Start button / first message (with `ref`), the application form, managers' decisions."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.respond import command, event_prefix, run_event, run_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("start", "начать"))
    async def start(message: Message) -> None:
        await run_message(message, services, services.onboarding.start)

    @labeler.private_message(func=command("cancel", "отмена"))
    async def cancel(message: Message) -> None:
        await run_message(message, services, services.onboarding.cancel)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_prefix("ob:"))
    async def applicant_buttons(event: MessageEvent) -> None:
        await run_event(api, event, services, services.onboarding.on_action)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_prefix("app:", "rej:"))
    async def manager_buttons(event: MessageEvent) -> None:
        # run_event resolves the manager's name ("decided by"): VK events carry none
        await run_event(api, event, services, services.onboarding.on_action)
