"""Run-a-use-case-and-answer glue shared by every Telegram router."""
from __future__ import annotations

from aiogram.types import CallbackQuery, Message

from handlers.telegram.render import deliver
from services.app import Services
from services.dto import Incoming, Reply


async def to_message(message: Message, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    assert message.bot is not None
    await deliver(message.bot, message.chat.id, reply, locale, services.translator)


async def to_callback(callback: CallbackQuery, services: Services, inc: Incoming, reply: Reply) -> None:
    locale = await services.locale_for(inc.messenger, inc.user_id, inc.language_code)
    assert callback.bot is not None
    await deliver(callback.bot, int(inc.chat_id), reply, locale, services.translator, callback=callback)


def tail_int(data: str | None) -> int | None:
    """The numeric last part of callback data like "app:ok:42"; None for anything forged or malformed."""
    part = (data or "").rsplit(":", 1)[-1]
    return int(part) if part.isdigit() and len(part) < 19 else None
