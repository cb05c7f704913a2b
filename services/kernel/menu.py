"""The partner's main menu (persistent keyboard) and how a pressed entry is recognised on every messenger."""
from __future__ import annotations

from services.kernel.actions import ActionData, token
from services.kernel.dto import Button, Screen
from services.kernel.i18n import Translator

SECTIONS = ("links", "stats", "materials", "balance", "contests", "faq", "support", "settings")
_LAYOUT = (("links", "stats"), ("materials", "balance"), ("contests", "faq"), ("support", "settings"))



class OpenSection(ActionData, prefix="menu"):
    section: str = token(r"[a-z]+")  # one of SECTIONS; anything else is "not understood"


MAIN_MENU: tuple[tuple[Button, ...], ...] = tuple(
    tuple(Button(f"menu-{section}", OpenSection(section).pack()) for section in row) for row in _LAYOUT
)


def main_menu_screen(text_key: str = "menu-title", **args: object) -> Screen:
    return Screen(text_key, dict(args), menu=MAIN_MENU)


class MenuMatcher:
    """A reply keyboard sends its label as plain text; map it back to the action in any language."""

    def __init__(self, translator: Translator) -> None:
        self._by_text: dict[str, str] = {}
        for section in SECTIONS:
            for label in translator.all_labels(f"menu-{section}"):
                self._by_text[label.casefold()] = OpenSection(section).pack()

    def action_for(self, text: str | None) -> str | None:
        return self._by_text.get(text.strip().casefold()) if text else None
