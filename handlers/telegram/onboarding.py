"""Onboarding on Telegram: /start (with referral payload), the application form, managers' decisions."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import CallbackQuery, Message

from handlers.telegram.incoming import from_message
from handlers.telegram.respond import run_callback, run_message, to_message
from services.app import Services

router = Router(name="onboarding")
router.message.filter(F.chat.type == "private")


@router.message(CommandStart())
async def start(message: Message, command: CommandObject, services: Services) -> None:
    inc = from_message(message, start_payload=command.args)
    await to_message(message, services, inc, await services.onboarding.start(inc))


@router.message(Command("cancel"))
async def cancel(message: Message, services: Services) -> None:
    await run_message(message, services, services.onboarding.cancel)


@router.callback_query(F.data.regexp(r"^(ob|app|rej):"))
async def buttons(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.onboarding.on_action)
