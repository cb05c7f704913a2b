"""Telegram side of the composition root: Bot (honouring TELEGRAM_API_URL) and Dispatcher."""
from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault

from handlers.telegram import get_router
from handlers.telegram.middleware import PerUserSerial
from services.app import Services
from services.kernel.features import listed
from services.kernel.i18n import LOCALES


def build_bot(token: str, api_url: str, session: BaseSession | None = None) -> Bot:
    if session is None:
        session = AiohttpSession(api=TelegramAPIServer.from_base(api_url.rstrip("/")))
    return Bot(token=token, session=session)


def build_dispatcher(services: Services) -> Dispatcher:
    dispatcher = Dispatcher()  # the routers hold `services` themselves (one tree per Dispatcher)
    dispatcher.update.outer_middleware(PerUserSerial(services.user_locks))
    dispatcher.include_router(get_router(services))
    return dispatcher


async def register_commands(bot: Bot, services: Services) -> None:
    """The command menu, in each language Telegram can show it in (default = DEFAULT_LOCALE)."""
    t = services.translator
    commands = listed(services.features)

    def menu(locale: str) -> list[BotCommand]:
        return [BotCommand(command=c.names[0], description=t(locale, c.description or "")) for c in commands]

    for locale in LOCALES:
        await bot.set_my_commands(menu(locale), scope=BotCommandScopeDefault(), language_code=locale)
    await bot.set_my_commands(menu(services.deps.config.default_locale), scope=BotCommandScopeDefault())
