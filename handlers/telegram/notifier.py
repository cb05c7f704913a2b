"""Telegram implementation of services' Notifier port (used by the outbox dispatcher)."""
from __future__ import annotations

from aiogram import Bot
from aiogram.exceptions import (
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramNotFound,
    TelegramRetryAfter,
)

from handlers.telegram.render import send_screen
from services.dto import Screen
from services.i18n import Translator
from services.ports import DeliveryError


class TelegramNotifier:
    messenger = "telegram"

    def __init__(self, bot: Bot, translator: Translator) -> None:
        self.bot = bot
        self.t = translator

    async def send(self, chat_id: str, screen: Screen, locale: str, dedupe_id: int) -> None:
        try:
            await send_screen(self.bot, int(chat_id), screen, locale, self.t)
        except TelegramRetryAfter as exc:
            raise DeliveryError(str(exc), retry_after=float(exc.retry_after)) from exc
        except (TelegramForbiddenError, TelegramNotFound) as exc:  # blocked the bot / chat gone: never retry
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramBadRequest as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramNetworkError as exc:
            raise DeliveryError(str(exc)) from exc
