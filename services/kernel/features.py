"""The route table's records: what a feature answers to, declared once for every messenger.

Adapters register each Feature generically (handlers/telegram, handlers/vk): a command is reachable under every
one of its names on every messenger, a button by its action's prefix. How a command is *typed* stays the
messenger's own ("/link" on Telegram; "/link", a bare "ссылки" or the Start button on VK).
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

from services.kernel.dto import Incoming, Reply
from services.kernel.menu import SECTIONS

Handler = Callable[[Incoming], Awaitable[Reply]]


@dataclass(frozen=True)
class Command:
    names: tuple[str, ...]  # the first is the canonical name (Telegram's command menu), the rest aliases
    handler: Handler
    description: str | None = None  # locale key; set → listed in Telegram's command menu and in /help
    rank: int = 0  # place in that list
    groups: bool = False  # also answered in group chats (the staff group, on Telegram), not only in private
    payload: bool = False  # the text after the name is a start payload (Telegram's deep link "/start <ref>")


@dataclass(frozen=True)
class Buttons:
    prefixes: tuple[str, ...]  # "lnk:": every button action starting with one of them goes to `handler`
    handler: Handler  # usually the feature's ActionTable


@dataclass(frozen=True)
class Section:
    name: str  # an entry of the main menu (services.kernel.menu.SECTIONS)
    handler: Handler


@dataclass(frozen=True)
class Feature:
    name: str
    commands: tuple[Command, ...] = ()
    buttons: tuple[Buttons, ...] = ()
    section: Section | None = None


def listed(features: Iterable[Feature]) -> list[Command]:
    """Commands for Telegram's command menu and /help, in their order."""
    return sorted((c for f in features for c in f.commands if c.description), key=lambda c: c.rank)


def check(features: tuple[Feature, ...]) -> tuple[Feature, ...]:
    """Refuses a table two features would fight over: a name, a prefix or a section claimed twice."""
    names: dict[str, str] = {}
    prefixes: dict[str, str] = {}
    sections: dict[str, str] = {}
    for feature in features:
        for command in feature.commands:
            for name in command.names:
                key = name.casefold()  # both adapters match names case-insensitively
                if key in names or not key or key.startswith("/") or " " in key:
                    raise ValueError(f"command {name!r} of {feature.name}: clashes with {names.get(key)} or malformed")
                names[key] = feature.name
        for buttons in feature.buttons:
            for prefix in buttons.prefixes:
                clash = [p for p in prefixes if p.startswith(prefix) or prefix.startswith(p)]
                if clash or not prefix.endswith(":"):
                    raise ValueError(f"prefix {prefix!r} of {feature.name}: overlaps {clash} or lacks ':'")
                prefixes[prefix] = feature.name
        if feature.section is not None:
            if feature.section.name in sections or feature.section.name not in SECTIONS:
                raise ValueError(f"section {feature.section.name!r} of {feature.name}: served twice or not in the menu")
            sections[feature.section.name] = feature.name
    return features
