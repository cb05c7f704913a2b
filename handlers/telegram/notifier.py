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

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup, MessageEntity

from handlers.telegram.render import render, send_screen
from services.kernel.dto import Attachment, Screen
from services.kernel.i18n import Translator
from services.kernel.ports import NEW_THREAD, Delivered, DeliveryError, Post, PostResult


class TelegramNotifier:
    messenger = "telegram"
    max_peers = 1  # the Bot API sends to one chat per call

    def __init__(self, bot: Bot, translator: Translator) -> None:
        self.bot = bot
        self.t = translator

    async def _thread(self, chat_id: int, screen: Screen, locale: str, thread_id: str | None) -> int | None:
        if thread_id == NEW_THREAD:
            return await _open_topic(self.bot, chat_id, str(screen.args.get("topic") or "…"))
        return int(thread_id) if thread_id else None

    async def send(self, chat_id: str, screen: Screen, locale: str, dedupe_id: int,
                   thread_id: str | None = None) -> Delivered | None:
        try:
            thread = await self._thread(int(chat_id), screen, locale, thread_id)
            also: list[int] = []
            message = await send_screen(self.bot, int(chat_id), screen, locale, self.t, thread_id=thread, also=also)
            return Delivered(str(message.message_id), str(thread) if thread else None, tuple(map(str, also)))
        except TelegramRetryAfter as exc:
            raise DeliveryError(str(exc), retry_after=float(exc.retry_after)) from exc
        except (TelegramForbiddenError, TelegramNotFound) as exc:  # blocked the bot / chat gone: never retry
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramBadRequest as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramNetworkError as exc:
            raise DeliveryError(str(exc)) from exc

    async def edit(self, chat_id: str, ref: str, screen: Screen, locale: str) -> bool:
        text, markup = render(screen, locale, self.t)
        try:
            await self.bot.edit_message_text(text=text, chat_id=int(chat_id), message_id=int(ref),
                                             reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None)
            return True
        except TelegramRetryAfter as exc:
            raise DeliveryError(str(exc), retry_after=float(exc.retry_after)) from exc
        except TelegramBadRequest as exc:
            return "not modified" in str(exc)  # unchanged is shown; deleted / too old: send a new one
        except (TelegramForbiddenError, TelegramNotFound) as exc:
            raise DeliveryError(str(exc), permanent=True) from exc
        except TelegramNetworkError as exc:
            raise DeliveryError(str(exc)) from exc


    async def post(self, chat_ids: Sequence[str], post: Post, dedupe_id: int) -> list[PostResult]:
        """A broadcast to one chat, its formatting kept as entities (no parse mode: the author's text is never
        parsed again). Telegram has no idempotency key: the caller marks the row sent right after this returns."""
        (chat_id,) = chat_ids
        entities = [MessageEntity(**e) for e in post.entities] or None
        markup = InlineKeyboardMarkup(inline_keyboard=[[InlineKeyboardButton(text=post.button_label,
                                                                              url=post.button_url)]]) \
            if post.button_url and post.button_label else None
        try:
            source = _photo_source(post.photo)
            if source is not None:
                message = await self.bot.send_photo(chat_id=int(chat_id), photo=source, caption=post.text or None,
                                                    caption_entities=entities, reply_markup=markup)
            else:
                message = await self.bot.send_message(chat_id=int(chat_id), text=post.text, entities=entities,
                                                      reply_markup=markup)
        except TelegramRetryAfter as exc:
            raise DeliveryError(str(exc), retry_after=float(exc.retry_after)) from exc
        except (TelegramForbiddenError, TelegramNotFound) as exc:  # blocked the bot, deactivated, chat gone
            return [PostResult(chat_id, unreachable=True, error=str(exc)[:200])]
        except TelegramBadRequest as exc:
            gone = "chat not found" in str(exc).lower() or "user is deactivated" in str(exc).lower()
            return [PostResult(chat_id, unreachable=gone, error=str(exc)[:200])]
        except TelegramNetworkError as exc:
            raise DeliveryError(str(exc)) from exc
        return [PostResult(chat_id, ref=str(message.message_id))]


def _photo_source(photo: Attachment | None) -> str | None:
    """A Telegram file_id is this bot's to re-send; a VK photo goes by its public URL (Telegram fetches it)."""
    if photo is None:
        return None
    return photo.ref if photo.origin == "telegram" else photo.url


async def _open_topic(bot: Bot, chat_id: int, name: str) -> int | None:
    """A forum topic for one subject (a ticket); None when the group has no topics (then replies map it)."""
    try:
        topic = await bot.create_forum_topic(chat_id=chat_id, name=name[:128])
    except TelegramBadRequest:  # "the chat is not a forum", or no right to manage topics
        return None
    return topic.message_thread_id


class TelegramFiles:
    """FileSource for Telegram attachments (file_id → bytes), used when they must travel to VK."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot

    async def fetch(self, attachment: Attachment) -> tuple[bytes, str]:
        try:
            file = await self.bot.get_file(attachment.ref)
        except TelegramRetryAfter as exc:
            raise DeliveryError(str(exc), retry_after=float(exc.retry_after)) from exc
        except (TelegramBadRequest, TelegramNotFound) as exc:  # "file is too big" (Bot API: 20 MB), gone
            raise DeliveryError(str(exc), permanent=True) from exc
        assert file.file_path is not None
        buffer = await self.bot.download_file(file.file_path)
        assert buffer is not None
        name = attachment.name or file.file_path.rsplit("/", 1)[-1]
        return buffer.read(), name
