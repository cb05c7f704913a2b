"""Telegram catch-alls, registered last: /help, form and menu buttons, free text, unknown buttons."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services
from services.kernel.dto import Incoming, Reply, Toast

router = Router(name="common")
router.message.filter(F.chat.type == "private")


@router.message(Command("help"))
async def help_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.conversation.help)


@router.callback_query(F.data.startswith("fm:"))
async def form_button(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.forms.on_action)


@router.callback_query(F.data.startswith("menu:"))
async def menu_button(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.conversation.on_menu_action)


@router.message()
async def any_message(message: Message, services: Services) -> None:
    if message.from_user is None or message.from_user.is_bot:
        return
    await run_message(message, services, services.conversation.on_text)


async def _outdated(inc: Incoming) -> Reply:
    return Reply(toast=Toast("err-stale-button"))


@router.callback_query()
async def unknown_button(callback: CallbackQuery, services: Services) -> None:
    """Forged data or a button from a version of the bot that no longer exists."""
    await run_callback(callback, services, _outdated)
