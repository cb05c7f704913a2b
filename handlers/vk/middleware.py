"""Handles one person's updates one at a time (see services/kernel/locks.py for why), like Telegram's middleware.

vkbottle's BaseMiddleware has no "around": pre() and post() are separate calls, and post() is skipped when a rule
raises or the error handler re-raises, which would leave the person locked out for good. So the lock wraps each
view's whole handle_event (message_new and message_event) and is released however that ends.
"""
from __future__ import annotations

from typing import Any

from vkbottle.dispatch.views.bot import BotMessageView, RawBotEventView
from vkbottle.exception_factory import ABCErrorHandler

from services.kernel.locks import KeyedLock


def person_of(event: dict[str, Any]) -> int | None:
    """Who sent a raw long-poll update: message_new's author, message_event's presser, else None."""
    obj = event.get("object") or {}
    if event.get("type") == "message_new":
        return (obj.get("message") or {}).get("from_id")
    if event.get("type") == "message_event":
        return obj.get("user_id")
    return None


class _PerPersonSerial:
    locks: KeyedLock

    async def handle_event(self, event: dict[str, Any], ctx_api: Any, state_dispenser: Any) -> Any:
        person = person_of(event)
        if person is None:
            return await super().handle_event(event, ctx_api, state_dispenser)  # type: ignore[misc]
        async with self.locks.hold(("vk", person)):
            return await super().handle_event(event, ctx_api, state_dispenser)  # type: ignore[misc]


class SerialMessageView(_PerPersonSerial, BotMessageView):
    def __init__(self, locks: KeyedLock, error_handler: ABCErrorHandler | None = None) -> None:
        super().__init__(error_handler)
        self.locks = locks


class SerialRawEventView(_PerPersonSerial, RawBotEventView):
    def __init__(self, locks: KeyedLock, error_handler: ABCErrorHandler | None = None) -> None:
        super().__init__(error_handler)
        self.locks = locks
