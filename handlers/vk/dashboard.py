"""The web dashboard on VK: /dashboard (or «дашборд») answers with a personal sign-in link."""
from __future__ import annotations

from vkbottle import API
from vkbottle.bot import BotLabeler, Message

from handlers.vk.respond import command, run_message
from services.app import Services


def register(labeler: BotLabeler, services: Services, api: API) -> None:
    @labeler.private_message(func=command("dashboard", "дашборд"))
    async def dashboard_command(message: Message) -> None:
        await run_message(message, services, services.dashboard.link)
