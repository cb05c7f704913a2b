"""Run-a-use-case-and-answer glue shared by every Telegram router."""
from __future__ import annotations

from collections.abc import Awaitable, Callable

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
    await deliver(message.bot, message.chat.id, reply, locale, services.translator, thread_id=thread)


async def to_callback(callback: CallbackQuery, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    assert callback.bot is not None
    await deliver(callback.bot, int(inc.chat_id), reply, locale, services.translator, callback=callback)


async def run_message(message: Message, services: Services, use_case: UseCase,
                      start_payload: str | None = None) -> None:
    inc = from_message(message, start_payload=start_payload)
    await to_message(message, services, inc, await use_case(inc))


async def run_callback(callback: CallbackQuery, services: Services, use_case: UseCase) -> None:
    inc = from_callback(callback)
    await to_callback(callback, services, inc, await use_case(inc))
