"""FAQ on Telegram: /faq, categories and answers with feedback; managers edit it from /admin."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services

router = Router(name="faq")
router.message.filter(F.chat.type == "private")


@router.message(Command("faq"))
async def faq_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.faq.home)


@router.callback_query(F.data.startswith(("fq:", "fqa:")))
async def buttons(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.faq.on_action)
