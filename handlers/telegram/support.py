"""Support on Telegram: /support for partners; the staff group (replies, Take / Close, /tickets)."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.incoming import from_message
from handlers.telegram.respond import run_callback, run_message, to_message
from services.app import Services

router = Router(name="support")


@router.message(Command("support"), F.chat.type == "private")
async def support_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.support.open)


@router.message(Command("tickets"))
async def tickets_command(message: Message, services: Services) -> None:
    await run_message(message, services, services.support.list_open)


@router.callback_query(F.data.startswith("sup:"))
async def buttons(callback: CallbackQuery, services: Services) -> None:
    await run_callback(callback, services, services.support.on_action)


@router.message(F.chat.type.in_({"group", "supergroup"}))
async def staff_chat_message(message: Message, services: Services) -> None:
    """Everything said in groups: a staff reply to a ticket, or nothing (other chatter is ignored)."""
    if message.from_user is None or message.from_user.is_bot:
        return
    inc = from_message(message)
    reply = await services.support.staff_message(inc)
    if reply is not None and reply.screens:
        await to_message(message, services, inc, reply)
