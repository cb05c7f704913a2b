"""The one place a Screen becomes a Telegram message."""
from __future__ import annotations

import contextlib
import logging

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)

from services.kernel.dto import Reply, Screen
from services.kernel.i18n import Translator

log = logging.getLogger(__name__)
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def render(screen: Screen, locale: str, t: Translator) -> tuple[str, Markup]:
    text = t(locale, screen.text_key, screen.args)
    markup: Markup = None
    if screen.buttons:
        markup = InlineKeyboardMarkup(inline_keyboard=[
            [
                InlineKeyboardButton(text=t(locale, b.label_key, b.args), url=b.url)
                if b.url else InlineKeyboardButton(text=t(locale, b.label_key, b.args), callback_data=b.action)
                for b in row
            ]
            for row in screen.buttons
        ])
    elif screen.menu:
        markup = ReplyKeyboardMarkup(
            keyboard=[[KeyboardButton(text=t(locale, b.label_key, b.args)) for b in row] for row in screen.menu],
            resize_keyboard=True, is_persistent=True,
        )
    elif screen.menu == ():
        markup = ReplyKeyboardRemove()
    return text, markup


async def send_screen(bot: Bot, chat_id: int | str, screen: Screen, locale: str, t: Translator,
                      thread_id: int | None = None, also: list[int] | None = None) -> Message:
    """The text (with its keyboard) first, then each attachment; returns the text message. `also` collects the
    attachments' message ids: a reply to any of them is a reply to the whole Screen."""
    text, markup = render(screen, locale, t)
    message = await bot.send_message(chat_id=chat_id, text=text, reply_markup=markup, message_thread_id=thread_id)
    await send_attachments(bot, chat_id, screen, message, thread_id, also)
    return message


async def send_attachments(bot: Bot, chat_id: int | str, screen: Screen, message: Message,
                           thread_id: int | None = None, also: list[int] | None = None) -> None:
    """A Screen's attachments, each replying to `message` (its text)."""
    for item in screen.attachments:
        # A Telegram file_id is reusable by this bot; other messengers' files go by URL, fetched by Telegram;
        # generated files are uploaded from their bytes.
        source: str | BufferedInputFile | None = item.ref if item.origin == "telegram" else item.url
        if item.data is not None:
            source = BufferedInputFile(item.data, filename=item.name or item.ref)
        if not source:
            continue
        try:
            if item.kind == "photo":
                media = await bot.send_photo(chat_id=chat_id, photo=source, message_thread_id=thread_id,
                                             reply_to_message_id=message.message_id)
            else:
                media = await bot.send_document(chat_id=chat_id, document=source, message_thread_id=thread_id,
                                                reply_to_message_id=message.message_id)
            if also is not None:
                also.append(media.message_id)
        except TelegramAPIError as exc:
            # The text is already delivered: raising now would make the outbox fail the row (its message id,
            # which replies map back to, is lost) or send it all again (a second card, a second forum topic).
            # Telegram refuses some URLs (documents by URL only as PDF/ZIP/GIF, private links): give the link.
            log.warning("attachment %s to %s not sent: %s", item.ref, chat_id, exc)
            if item.url:
                with contextlib.suppress(TelegramAPIError):
                    await bot.send_message(chat_id=chat_id, text=" ".join(filter(None, ("📎", item.name, item.url))),
                                           message_thread_id=thread_id, reply_to_message_id=message.message_id)


async def deliver(bot: Bot, chat_id: int, reply: Reply, locale: str, t: Translator,
                  callback: CallbackQuery | None = None, thread_id: int | None = None,
                  target: Message | None = None) -> Message | None:
    """Answers the current update: toast for a button press, edits where asked, new messages otherwise. An
    edit replaces the pressed message, or `target` (the last message of the previous step). Returns the last
    message shown, for the next step of a Reply.then."""
    if callback is not None:
        toast = reply.toast
        await callback.answer(t(locale, toast.text_key, toast.args) if toast else None,
                              show_alert=bool(toast and toast.alert))
    shown: Message | None = None
    for screen in reply.screens:
        origin = callback.message if callback is not None else target
        if screen.edit and isinstance(origin, Message) and not screen.menu:
            text, markup = render(screen, locale, t)
            try:
                await bot.edit_message_text(text=text, chat_id=origin.chat.id, message_id=origin.message_id,
                                            reply_markup=markup if isinstance(markup, InlineKeyboardMarkup) else None)
                await send_attachments(bot, chat_id, screen, origin, thread_id)
                shown = origin
                continue
            except TelegramBadRequest as exc:  # "message is not modified", too old to edit…: send anew
                if "not modified" in str(exc):
                    shown = origin
                    continue
                log.info("edit failed, sending instead: %s", exc)
        if thread_id is None and getattr(origin, "is_topic_message", False):
            thread_id = origin.message_thread_id  # type: ignore[union-attr]
        shown = await send_screen(bot, chat_id, screen, locale, t, thread_id=thread_id)
    return shown
