"""Links on Telegram: /link, named links with sub-ids, rename, archive, the recruit link."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services

router = Router(name="links")
router.message.filter(F.chat.type == "private")


@router.message(Command("link", "links"))
async def link_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.links.home)


@router.callback_query(F.data.startswith("lnk:"))
async def buttons(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.links.on_action)
