"""Staff tools on Telegram: /admin → offers (create, edit, pause) and conversion review."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services

router = Router(name="admin")
router.message.filter(F.chat.type == "private")


@router.message(Command("admin"))
async def admin_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.offers.admin_menu)


@router.callback_query(F.data.startswith("adm:"))
async def buttons(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.admin_action)
