"""Settings on VK: language (also /language) and time zone."""
from __future__ import annotations

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.incoming import from_event, from_message
from handlers.vk.respond import command, event_action, to_event, to_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("language", "язык"))
    async def language_command(message: Message) -> None:
        inc = from_message(message)
        await to_message(message, services, inc, await services.settings.language_menu(inc))

    @labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, func=event_action(r"set:(lang|tz)(:.+)?"))
    async def settings_buttons(event: MessageEvent) -> None:
        inc = from_event(event)
        action = inc.action or ""
        settings = services.settings
        if action == "set:lang":
            reply = await settings.language_menu(inc)
        elif action.startswith("set:lang:"):
            reply = await settings.set_language(inc, action.removeprefix("set:lang:"))
        elif action == "set:tz":
            reply = await settings.timezone_menu(inc)
        else:
            reply = await settings.set_timezone(inc, action.removeprefix("set:tz:"))
        await to_event(api, event, services, inc, reply)
