"""VK catch-alls, registered after every feature: free text (and the persistent menu) and unknown buttons."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.respond import run_event, run_message
from services.app import Services
from services.kernel.dto import Incoming, Reply, Toast


async def _outdated(inc: Incoming) -> Reply:
    return Reply(toast=Toast("err-stale-button"))


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message()
    async def any_message(message: Message) -> None:
        # Persistent menu buttons carry {"a": "menu:<section>"}; anything else is free text.
        is_menu = (message.payload or "").find('"menu:') != -1
        use_case = services.conversation.on_menu_action if is_menu else services.conversation.on_text
        await run_message(message, services, use_case)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent)
    async def any_button(event: MessageEvent) -> None:
        """Forged payload or a button from a version of the bot that no longer exists."""
        await run_event(api, event, services, _outdated)
