"""Telegram catch-alls, registered last: /help, menu buttons, free text, and buttons nobody handles."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.incoming import from_callback, from_message
from handlers.telegram.respond import to_callback, to_message
from services.app import Services
from services.dto import Reply, Toast

router = Router(name="common")
router.message.filter(F.chat.type == "private")


@router.message(Command("help"))
async def help_command(message: Message, services: Services) -> None:
    inc = from_message(message)
    await to_message(message, services, inc, await services.conversation.help(inc))


@router.callback_query(F.data.startswith("menu:"))
async def menu_button(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    section = (callback.data or "").removeprefix("menu:")
    await to_callback(callback, services, inc, await services.conversation.open_section(inc, section))


@router.message()
async def any_message(message: Message, services: Services) -> None:
    if message.from_user is None or message.from_user.is_bot:
        return
    inc = from_message(message)
    await to_message(message, services, inc, await services.conversation.on_text(inc))


@router.callback_query()
async def unknown_button(callback: CallbackQuery, services: Services) -> None:
    """Forged data or a button from a version of the bot that no longer exists."""
    inc = from_callback(callback)
    await to_callback(callback, services, inc, Reply(toast=Toast("err-stale-button")))
