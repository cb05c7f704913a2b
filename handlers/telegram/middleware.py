"""Handles one person's updates one at a time (see services/kernel/locks.py for why)."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject, User

from services.kernel.locks import KeyedLock


class PerUserSerial(BaseMiddleware):
    def __init__(self, locks: KeyedLock) -> None:
        self.locks = locks

    async def __call__(self, handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
                       event: TelegramObject, data: dict[str, Any]) -> Any:
        user: User | None = data.get("event_from_user")
        if user is None:
            return await handler(event, data)
        async with self.locks.hold(("telegram", user.id)):
            return await handler(event, data)
