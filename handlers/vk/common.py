"""VK catch-alls, registered last: /help, menu buttons, free text, and buttons nobody handles."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.incoming import from_event, from_message
from handlers.vk.respond import command, to_event, to_message
from services.app import Services
from services.dto import Reply, Toast


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("help", "помощь"))
    async def help_command(message: Message) -> None:
        inc = from_message(message)
        await to_message(message, services, inc, await services.conversation.help(inc))

    @labeler.private_message()
    async def any_message(message: Message) -> None:
        inc = from_message(message)
        if inc.action and inc.action.startswith("menu:"):  # persistent menu buttons carry their action
            reply = await services.conversation.open_section(inc, inc.action.removeprefix("menu:"))
        else:
            reply = await services.conversation.on_text(inc)
        await to_message(message, services, inc, reply)

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent)
    async def any_button(event: MessageEvent) -> None:
        inc = from_event(event)
        if inc.action and inc.action.startswith("menu:"):
            reply = await services.conversation.open_section(inc, inc.action.removeprefix("menu:"))
        else:  # forged payload or a button from a version of the bot that no longer exists
            reply = Reply(toast=Toast("err-stale-button"))
        await to_event(api, event, services, inc, reply)
