"""Telegram side of the composition root: Bot (honouring TELEGRAM_API_URL) and Dispatcher."""
from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault

from handlers.telegram import build_router
from handlers.telegram.middleware import PerUserSerial
from services.app import Services
from services.kernel.conversation import COMMANDS
from services.kernel.i18n import LOCALES


def build_bot(token: str, api_url: str, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    return Bot(token=token, session=session)


def build_dispatcher(services: Services) -> Dispatcher:
    # Handlers receive `services` by keyword (aiogram's DI from workflow data).
    dispatcher = Dispatcher(services=services)
    dispatcher.update.outer_middleware(PerUserSerial(services.user_locks))
    dispatcher.include_router(build_router())
    return dispatcher


async def register_commands(bot: Bot, services: Services) -> None:
    """The command menu, in each language Telegram can show it in (default = DEFAULT_LOCALE)."""
    t = services.translator
    for locale in LOCALES:
        commands = [BotCommand(command=name, description=t(locale, key)) for name, key in COMMANDS]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=locale)
    default = services.deps.config.default_locale
    await bot.set_my_commands([BotCommand(command=name, description=t(default, key)) for name, key in COMMANDS],
                              scope=BotCommandScopeDefault())
