"""Settings on Telegram: language (also /language) and time zone."""
from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from handlers.telegram.incoming import from_callback, from_message
from handlers.telegram.respond import to_callback, to_message
from services.app import Services

router = Router(name="settings")
router.message.filter(F.chat.type == "private")


@router.message(Command("language"))
async def language_command(message: Message, services: Services) -> None:
    inc = from_message(message)
    await to_message(message, services, inc, await services.settings.language_menu(inc))


@router.callback_query(F.data == "set:lang")
async def language_menu(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    await to_callback(callback, services, inc, await services.settings.language_menu(inc))


@router.callback_query(F.data.startswith("set:lang:"))
async def set_language(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    locale = (callback.data or "").removeprefix("set:lang:")
    await to_callback(callback, services, inc, await services.settings.set_language(inc, locale))


@router.callback_query(F.data == "set:tz")
async def timezone_menu(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    await to_callback(callback, services, inc, await services.settings.timezone_menu(inc))


@router.callback_query(F.data.startswith("set:tz:"))
async def set_timezone(callback: CallbackQuery, services: Services) -> None:
    inc = from_callback(callback)
    zone = (callback.data or "").removeprefix("set:tz:")
    await to_callback(callback, services, inc, await services.settings.set_timezone(inc, zone))
