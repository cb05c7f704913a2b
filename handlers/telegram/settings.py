"""Settings on Telegram: language (also /language), time zone, notification mutes."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services

router = Router(name="settings")
router.message.filter(F.chat.type == "private")


@router.message(Command("language"))
async def language_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.settings.language_menu)


@router.callback_query(F.data.startswith("set:"))
async def buttons(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.settings.on_action)
