"""Telegram side of the composition root: Bot (honouring TELEGRAM_API_URL) and Dispatcher."""
from __future__ import annotations

from aiogram import Bot, Dispatcher
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.session.base import BaseSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.types import BotCommand, BotCommandScopeDefault, MenuButtonDefault, MenuButtonWebApp, WebAppInfo

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
    """The command menu, in each language Telegram can show it in (default = DEFAULT_LOCALE), and the menu
    button that opens the dashboard Mini App."""
    t = services.translator
    commands = listed(services.features)

    def menu(locale: str) -> list[BotCommand]:
        return [BotCommand(command=c.names[0], description=t(locale, c.description or "")) for c in commands]

    for locale in LOCALES:
        await bot.set_my_commands(menu(locale), scope=BotCommandScopeDefault(), language_code=locale)
    await bot.set_my_commands(menu(services.deps.config.default_locale), scope=BotCommandScopeDefault())
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
