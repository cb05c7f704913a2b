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
from services.dto import Attachment, Screen
from services.i18n import Translator
from services.ports import DeliveryError


class TelegramNotifier:
    messenger = "telegram"

    def __init__(self, bot: Bot, translator: Translator) -> None:
        self.bot = bot
        self.t = translator

    async def send(self, chat_id: str, screen: Screen, locale: str, dedupe_id: int,
                   thread_id: str | None = None) -> str | None:
        try:
            message = await send_screen(self.bot, int(chat_id), screen, locale, self.t,
                                        thread_id=int(thread_id) if thread_id else None)
            return str(message.message_id)
        except TelegramRetryAfter as exc:
            raise DeliveryError(str(exc), retry_after=float(exc.retry_after)) from exc
        except (TelegramForbiddenError, TelegramNotFound) as exc:  # blocked the bot / chat gone: never retry
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramBadRequest as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramNetworkError as exc:
            raise DeliveryError(str(exc)) from exc


class TelegramFiles:
    """FileSource for Telegram attachments (file_id → bytes), used when they must travel to VK."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, attachment: Attachment) -> tuple[bytes, str]:
        file = await self.bot.get_file(attachment.ref)
        assert file.file_path is not None
        buffer = await self.bot.download_file(file.file_path)
        assert buffer is not None
        name = attachment.name or file.file_path.rsplit("/", 1)[-1]
        return buffer.read(), name
