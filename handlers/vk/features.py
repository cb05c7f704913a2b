"""Registers each Feature of the route table on a VK labeler: command names (typed or VK's Start button) and
callback-button prefixes. Commands are private only: the staff group lives on Telegram."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from vkbottle import API, GroupEventType
from vkbottle.bot import BotLabeler, Message
from vkbottle.dispatch.rules import ABCRule
from vkbottle_types.events.bot_events import MessageEvent

from handlers.vk.incoming import action_of
from handlers.vk.respond import run_event, run_message
from services.app import Services
from services.kernel import features
from services.kernel.features import Feature

OnCommand = Callable[[Message], Awaitable[None]]
OnButton = Callable[[MessageEvent], Awaitable[None]]


class CommandRule(ABCRule[Message]):
    """Typed "/start", a bare "start" or "начать" as the whole text, or the payload of VK's own Start button."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self.names = names
        self.wanted = {n.casefold() for n in names}

    async def check(self, message: Message) -> bool:
        text = (message.text or "").strip().casefold()
        first = text.split(maxsplit=1)[0] if text else ""
        payload = message.get_payload_json() if message.payload else None
        if isinstance(payload, dict) and payload.get("command") in self.wanted:
            return True
        return first.lstrip("/") in self.wanted and (first.startswith("/") or text in self.wanted)


class PrefixRule(ABCRule[MessageEvent]):
    """A callback button whose action ({"a": …}) starts with one of `prefixes` ("lnk:")."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        self.prefixes = prefixes

    async def check(self, event: MessageEvent) -> bool:
        return (action_of(event.object.payload) or "").startswith(self.prefixes)


def register(labeler: BotLabeler, feature: Feature, services: Services, api: API) -> None:
    for entry in feature.commands:
        labeler.private_message(CommandRule(entry.names))(_command(entry, services))
    for buttons in feature.buttons:
        labeler.raw_event(GroupEventType.MESSAGE_EVENT, MessageEvent, PrefixRule(buttons.prefixes))(
            _button(buttons, services, api))


def _command(entry: features.Command, services: Services) -> OnCommand:
    async def on_command(message: Message) -> None:
        await run_message(message, services, entry.handler)  # a start payload arrives as message.ref

    return on_command


def _button(buttons: features.Buttons, services: Services, api: API) -> OnButton:
    async def on_button(event: MessageEvent) -> None:
        await run_event(api, event, services, buttons.handler)

    return on_button
