"""/dashboard on Telegram through the real Dispatcher, and the Mini App menu button."""
from __future__ import annotations

from dataclasses import replace
from urllib.parse import urlsplit

import pytest
from aiogram.types import MenuButtonDefault, MenuButtonWebApp

from bot.telegram import register_commands
from tests.fakes.builders import approved_partner
from tests.fakes.tg_harness import TelegramHarness

PARTNER = 111


@pytest.fixture
def tg(services) -> TelegramHarness:
    return TelegramHarness(services)


@pytest.mark.parametrize("text", ["/dashboard", "/Dashboard", "/дашборд"])  # Telegram: commands with a slash
async def test_dashboard_answers_with_a_personal_sign_in_link(services, tg, text):
    await approved_partner(services, tg)
    tg.clear()
    await tg.send(PARTNER, text, language_code="en")
    reply = tg.last(PARTNER)
    url = next(word for word in reply.text.split() if word.startswith("https://"))
    assert urlsplit(url).path == "/app/login" and urlsplit(url).query.startswith("t=")
    assert "works once and for 15 minutes" in reply.text
    [[button]] = reply.reply_markup.inline_keyboard
    assert button.url == url  # https PUBLIC_BASE_URL: a link button too


async def test_dashboard_waits_for_approval(services, tg):
    await tg.send(PARTNER, "/start", language_code="en")
    tg.clear()
    await tg.send(PARTNER, "/dashboard", language_code="en")
    assert tg.texts(PARTNER) == ["This section opens after your application is approved."]


async def test_no_link_button_on_plain_http(services, tg):
    await approved_partner(services, tg)
    services.deps.config = replace(services.deps.config, public_base_url="http://127.0.0.1:8080")
    tg.clear()
    await tg.send(PARTNER, "/dashboard", language_code="en")
    assert "http://127.0.0.1:8080/app/login?t=" in tg.last(PARTNER).text
    assert tg.last(PARTNER).reply_markup is None


async def test_menu_button_opens_the_mini_app_only_on_https(services, tg):
    await register_commands(tg.bot, services)
    [call] = tg.session.of("setChatMenuButton")
    button = call.method.menu_button
    assert isinstance(button, MenuButtonWebApp)
    assert button.web_app.url == "https://partners.example.com/app" and button.text == "Дашборд"
    assert any(c.command == "dashboard" for c in tg.session.of("setMyCommands")[0].method.commands)

    services.deps.config = replace(services.deps.config, public_base_url="http://127.0.0.1:8080")
    tg.clear()
    await register_commands(tg.bot, services)
    [call] = tg.session.of("setChatMenuButton")
    assert isinstance(call.method.menu_button, MenuButtonDefault)  # Telegram opens https Mini Apps only
