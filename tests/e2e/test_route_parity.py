"""Route parity: every command name and every button prefix of the route table (services.features) is reachable on
Telegram (real Dispatcher, fake session) and on VK (the real production vkbottle bot against FakeVK) and lands in
the same use case — and neither adapter routes anything outside the table but its named catch-alls."""
from __future__ import annotations

from dataclasses import replace
from typing import Any

from aiogram import Router
from aiogram.filters import Command as CommandFilter
from vkbottle import GroupEventType

from handlers.telegram.features import ActionPrefix
from handlers.vk.features import CommandRule, PrefixRule
from services.kernel.dto import Incoming, Reply
from services.kernel.features import Feature
from tests.fakes.tg_harness import TelegramHarness
from tests.fakes.vk_harness import VkHarness

PERSON = 111
STAFF_GROUP = -100500
# Handlers outside the table, by function name: free text, unknown buttons, Telegram's staff-group replies.
TG_CATCH_ALLS = {"any_message", "unknown_button", "staff_chat_message"}
VK_CATCH_ALLS = {"any_message", "any_button"}


def spy_on(services) -> list[tuple[str, str]]:
    """Swaps every table handler for a recorder of (entry, messenger): where an update landed, nothing else."""
    landed: list[tuple[str, str]] = []

    def recorder(entry: str):  # type: ignore[no-untyped-def]
        async def handler(inc: Incoming) -> Reply:
            landed.append((entry, inc.messenger))
            return Reply()
        return handler

    services.features = tuple(
        replace(f, commands=tuple(replace(c, handler=recorder(f"{f.name} /{c.names[0]}")) for c in f.commands),
                buttons=tuple(replace(b, handler=recorder(f"{f.name} {b.prefixes[0]}")) for b in f.buttons))
        for f in services.features)
    return landed


def commands_of(features: tuple[Feature, ...]) -> dict[str, str]:
    return {name.casefold(): f"{f.name} /{c.names[0]}" for f in features for c in f.commands for name in c.names}


def prefixes_of(features: tuple[Feature, ...]) -> dict[str, str]:
    return {p: f"{f.name} {b.prefixes[0]}" for f in features for b in f.buttons for p in b.prefixes}


def telegram_routes(router: Router) -> tuple[set[str], set[str]]:
    """Command names and callback prefixes the router tree answers; fails on any other handler."""
    commands: set[str] = set()
    prefixes: set[str] = set()
    for observer, found, kind in ((router.message, commands, CommandFilter), (router.callback_query, prefixes,
                                                                             ActionPrefix)):
        for handler in observer.handlers:
            routes = [f.callback for f in handler.filters or () if isinstance(f.callback, kind)]
            if not routes:
                assert handler.callback.__name__ in TG_CATCH_ALLS, f"Telegram routes {handler.callback} off the table"
            for route in routes:
                found.update(route.commands if kind is CommandFilter else route.prefixes)
    for sub in router.sub_routers:
        more_commands, more_prefixes = telegram_routes(sub)
        commands |= more_commands
        prefixes |= more_prefixes
    return commands, prefixes


def vk_routes(labeler: Any) -> tuple[set[str], set[str]]:
    commands: set[str] = set()
    prefixes: set[str] = set()
    for handler in labeler.message_view.handlers:
        rules = [r for r in handler.rules if isinstance(r, CommandRule)]
        assert rules or handler.handler.__name__ in VK_CATCH_ALLS, f"VK routes {handler.handler} off the table"
        commands.update(n.casefold() for r in rules for n in r.names)
    for event, basements in labeler.raw_event_view.handlers.items():
        assert event == GroupEventType.MESSAGE_EVENT, f"VK handles {event} outside the table"
        for basement in basements:
            rules = [r for r in basement.handler.rules if isinstance(r, PrefixRule)]
            assert rules or basement.handler.handler.__name__ in VK_CATCH_ALLS, "VK routes a button off the table"
            prefixes.update(p for r in rules for p in r.prefixes)
    return commands, prefixes


async def test_every_command_and_prefix_is_registered_on_both_messengers_from_the_table(services):
    table_commands, table_prefixes = set(commands_of(services.features)), set(prefixes_of(services.features))
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        assert vk.bot is not None
        assert telegram_routes(tg.dp) == (table_commands, table_prefixes)
        assert vk_routes(vk.bot.labeler) == (table_commands, table_prefixes)
    # The drift this table ended: VK's Russian aliases exist on Telegram too, and "ссылки" on both.
    assert {"ссылки", "links", "помощь", "начать", "отмена", "язык", "поддержка", "вопросы"} <= table_commands


async def test_every_command_and_prefix_lands_in_the_same_use_case_on_both_messengers(services):
    landed = spy_on(services)
    commands, prefixes = commands_of(services.features), prefixes_of(services.features)
    tg = TelegramHarness(services)
    async with VkHarness(services) as vk:
        for name, entry in commands.items():
            landed.clear()
            await tg.send(PERSON, f"/{name}")
            await vk.send(PERSON, f"/{name}")
            assert landed == [(entry, "telegram"), (entry, "vk")], f"/{name} → {landed}"
        for prefix, entry in prefixes.items():
            landed.clear()
            await tg.press(PERSON, f"{prefix}1")
            await vk.press(PERSON, f"{prefix}1")
            assert landed == [(entry, "telegram"), (entry, "vk")], f"{prefix} → {landed}"
        # VK's own ways to type a command: a bare name, the Start button.
        landed.clear()
        await vk.send(PERSON, "Ссылки")
        await vk.send(PERSON, "Start", payload={"command": "start"})
        assert landed == [(commands["ссылки"], "vk"), (commands["start"], "vk")]


async def test_group_chats_reach_only_group_commands(services):
    """Telegram's staff group: /tickets answers there, partner commands stay private."""
    landed = spy_on(services)
    tg = TelegramHarness(services)
    for feature in services.features:
        for command in feature.commands:
            landed.clear()
            await tg.send(902, f"/{command.names[0]}", chat_id=STAFF_GROUP, chat_type="supergroup")
            expected = [(f"{feature.name} /{command.names[0]}", "telegram")] if command.groups else []
            assert landed == expected, command.names


async def test_start_passes_the_deep_link_payload_on_telegram(services):
    seen: list[str | None] = []

    async def start(inc: Incoming) -> Reply:
        seen.append(inc.start_payload)
        return Reply()

    services.features = tuple(
        replace(f, commands=tuple(replace(c, handler=start) if c.payload else c for c in f.commands))
        for f in services.features)
    tg = TelegramHarness(services)
    await tg.send(PERSON, "/start r-abc123")
    await tg.send(PERSON, "/начать")
    assert seen == ["r-abc123", None]
