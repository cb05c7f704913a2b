"""Telegram side of the composition root: Bot (honouring TELEGRAM_API_URL) and Dispatcher."""
from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault, MenuButtonDefault, MenuButtonWebApp, WebAppInfo

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
    """The command menu, in each language Telegram can show it in (default = DEFAULT_LOCALE), and the menu
    button that opens the dashboard Mini App."""
    t = services.translator
    for locale in LOCALES:
        commands = [BotCommand(command=name, description=t(locale, key)) for name, key in COMMANDS]
        await bot.set_my_commands(commands, scope=BotCommandScopeDefault(), language_code=locale)
    default = services.deps.config.default_locale
    await bot.set_my_commands([BotCommand(command=name, description=t(default, key)) for name, key in COMMANDS],
                              scope=BotCommandScopeDefault())
    await register_menu_button(bot, services)


async def register_menu_button(bot: Bot, services: Services) -> None:
    """The "Dashboard" Mini App button next to the input field. Telegram opens only https Mini Apps, so on a plain
    http PUBLIC_BASE_URL the menu keeps its default and partners use /dashboard's signed link instead."""
    config = services.deps.config
    if config.public_base_url.startswith("https://"):
        text = services.translator(config.default_locale, "dash-menu-button")
        button = MenuButtonWebApp(text=text, web_app=WebAppInfo(url=f"{config.public_base_url.rstrip('/')}/app"))
        await bot.set_chat_menu_button(menu_button=button)
    else:
        await bot.set_chat_menu_button(menu_button=MenuButtonDefault())
