"""The web dashboard on Telegram: /dashboard answers with a personal sign-in link (the Mini App button in the
bot's menu is set up in bot/telegram.py)."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import Message

from handlers.telegram.respond import run_message
from services.app import Services

router = Router(name="dashboard")
router.message.filter(F.chat.type == "private")


ALIASES = {"dashboard", "дашборд"}  # typed without the slash, as VK accepts them too


@router.message(Command("dashboard", "дашборд"))
@router.message(F.text.func(lambda text: text is not None and text.strip().casefold() in ALIASES))
async def dashboard_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.dashboard.link)
