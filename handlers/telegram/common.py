"""Telegram catch-alls, registered after every feature: free text and unknown buttons."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.types import CallbackQuery, Message

from handlers.telegram.respond import run_callback, run_message
from services.app import Services
from services.kernel.dto import Incoming, Reply, Toast


async def _outdated(inc: Incoming) -> Reply:
    return Reply(toast=Toast("err-stale-button"))


def get_router(services: Services) -> Router:
    router = Router(name="common")

    @router.message(F.chat.type == "private")
    async def any_message(message: Message) -> None:
        if message.from_user is None or message.from_user.is_bot:
            return
        await run_message(message, services, services.conversation.on_text)

    @router.callback_query()
    async def unknown_button(callback: CallbackQuery) -> None:
        """Forged data or a button from a version of the bot that no longer exists."""
        await run_callback(callback, services, _outdated)

    return router
