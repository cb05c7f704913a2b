"""Telegram only: the staff group, where support staff answer tickets by replying (VK talks in private only)."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.types import Message

from handlers.telegram.incoming import from_message
from handlers.telegram.respond import to_message
from services.app import Services


def get_router(services: Services) -> Router:
    router = Router(name="staff_chat")

    @router.message(F.chat.type.in_({"group", "supergroup"}))
    async def staff_chat_message(message: Message) -> None:
        """Everything said in groups: a staff reply to a ticket, or nothing (other chatter is ignored)."""
        if message.from_user is None or message.from_user.is_bot:
            return
        inc = from_message(message)
        reply = await services.support.staff_message(inc)
        if reply is not None and reply.screens:
            await to_message(message, services, inc, reply)

    return router
