"""One Router per Feature of the route table: every command name as a /command, every button prefix."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, Filter
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services
from services.kernel import features
from services.kernel.features import Feature

OnCommand = Callable[[Message, CommandObject], Awaitable[None]]
OnButton = Callable[[CallbackQuery], Awaitable[None]]


class ActionPrefix(Filter):
    """Callback data starting with one of `prefixes` ("lnk:"); kept inspectable for the parity test."""

    def __init__(self, prefixes: tuple[str, ...]) -> None:
        self.prefixes = prefixes

    async def __call__(self, callback: CallbackQuery) -> bool:
        return (callback.data or "").startswith(self.prefixes)


def get_router(feature: Feature, services: Services) -> Router:
    router = Router(name=feature.name)
    for entry in feature.commands:
        chats = () if entry.groups else (F.chat.type == "private",)
        # ignore_case: VK matches names case-insensitively too, and phones capitalise "/Помощь"
        router.message.register(_command(entry, services), Command(*entry.names, ignore_case=True), *chats)
    for buttons in feature.buttons:
        router.callback_query.register(_button(buttons, services), ActionPrefix(buttons.prefixes))
    return router


def _command(entry: features.Command, services: Services) -> OnCommand:
    async def on_command(message: Message, command: CommandObject) -> None:
        await run_message(message, services, entry.handler, start_payload=command.args if entry.payload else None)

    return on_command


def _button(buttons: features.Buttons, services: Services) -> OnButton:
    async def on_button(callback: CallbackQuery) -> None:
        await run_callback(callback, services, buttons.handler)

    return on_button
