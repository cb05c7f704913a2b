"""Stats on Telegram: /stats [period] [by …] (also "stats" / "статистика" typed alone, as on VK), its buttons."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services

router = Router(name="stats")
router.message.filter(F.chat.type == "private")
ALIASES = ("stats", "статистика")


@router.message(Command(*ALIASES))
@router.message(lambda message: (message.text or "").strip().casefold() in ALIASES)
async def stats_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.stats.command)


@router.callback_query(F.data.startswith("st:"))
async def buttons(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.stats.on_action)
