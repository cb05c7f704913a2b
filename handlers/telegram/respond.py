"""Run-a-use-case-and-answer glue shared by every Telegram router."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiogram import Bot
from aiogram.types import CallbackQuery, Message

from handlers.telegram.incoming import from_callback, from_message
from handlers.telegram.render import deliver
from services.app import Services
from services.kernel.dto import Incoming, Reply

UseCase = Callable[[Incoming], Awaitable[Reply]]


async def to_message(message: Message, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    assert message.bot is not None
    thread = message.message_thread_id if message.is_topic_message else None
    shown = await deliver(message.bot, message.chat.id, reply, locale, services.translator, thread_id=thread)
    await follow_up(message.bot, message.chat.id, reply, locale, services, shown, thread)


async def to_callback(callback: CallbackQuery, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    assert callback.bot is not None
    shown = await deliver(callback.bot, int(inc.chat_id), reply, locale, services.translator, callback=callback)
    await follow_up(callback.bot, int(inc.chat_id), reply, locale, services, shown)


async def follow_up(bot: Bot, chat_id: int, reply: Reply, locale: str, services: Services, shown: Message | None,
                    thread: int | None = None) -> None:
    """Runs the slow steps of a reply (Reply.then), each shown once ready; edits replace the last message."""
    while reply.then is not None:
        reply = await reply.then()
        shown = await deliver(bot, chat_id, reply, locale, services.translator, thread_id=thread,
                              target=shown) or shown


async def run_message(message: Message, services: Services, use_case: UseCase,
                      start_payload: str | None = None) -> None:
    inc = from_message(message, start_payload=start_payload)
    await to_message(message, services, inc, await use_case(inc))


async def run_callback(callback: CallbackQuery, services: Services, use_case: UseCase) -> None:
    inc = from_callback(callback)
    await to_callback(callback, services, inc, await use_case(inc))
