"""Translator over locales/<lang>/*.ftl (Project Fluent). Every user-visible string comes from here."""
from __future__ import annotations

import logging
from collections.abc import Mapping
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from fluent.runtime import FluentBundle, FluentResource
from fluent.runtime import resolver as fluent_resolver
from fluent.syntax import ast

# fluent.runtime renders a whole message as "{???}" when one argument is longer than 2500 characters (a guard
# against runaway expansion). Ours are people's texts (ticket messages, answers, FAQ entries), bounded by our
# validators and the messengers' 4096, so a long answer must render, not turn into "{???}" on the way out.
fluent_resolver.MAX_PART_LENGTH = max(fluent_resolver.MAX_PART_LENGTH, 8192)

LOCALES = ("ru", "en")
LOCALES_DIR = Path(__file__).resolve().parents[2] / "locales"
log = logging.getLogger(__name__)


def pick_locale(language_code: str | None, default: str = "ru") -> str:
    """Messenger language code ("en-US", "ru", "uk") → one of ours."""
    if language_code:
        code = language_code.lower().split("-")[0].split("_")[0]
        if code in LOCALES:
            return code
        if code in ("uk", "be", "kk", "uz", "ky", "tg", "hy", "az", "ka"):
            return "ru"  # CIS languages: Russian is the better guess than English
        return "en"
    return default


class Translator:
    def __init__(self, directory: Path = LOCALES_DIR, default: str = "ru") -> None:
        self.default = default
        self._bundles: dict[str, FluentBundle] = {}
        self.keys: dict[str, set[str]] = {}
        self.errors: list[str] = []  # unparsable entries; a test keeps this empty
        for locale in LOCALES:
            bundle = FluentBundle([locale], use_isolating=False)
            keys: set[str] = set()
            for path in sorted((directory / locale).glob("*.ftl")):
                resource = FluentResource(path.read_text(encoding="utf-8"))
                bundle.add_resource(resource)
                for entry in resource.body:
                    if isinstance(entry, ast.Message):
                        keys.add(entry.id.name)
                    elif isinstance(entry, ast.Junk):
                        self.errors.append(f"{path}: {entry.content[:60]!r}")
                        log.error("unparsable locale entry in %s: %s", path, entry.content[:200])
            self._bundles[locale] = bundle
            self.keys[locale] = keys

    def __call__(self, locale: str, key: str, args: Mapping[str, Any] | None = None, /, **kwargs: Any) -> str:
        bundle = self._bundles.get(locale) or self._bundles[self.default]
        if not bundle.has_message(key):
            bundle = self._bundles[self.default]
            if not bundle.has_message(key):
                log.error("missing locale key %s", key)
                return key
        message = bundle.get_message(key)
        if message.value is None:
            return key
        values = {**(args or {}), **kwargs}
        # Fluent would format Decimals with locale grouping rules we don't control; money is pre-formatted.
        values = {k: (str(v) if isinstance(v, Decimal) else ("" if v is None else v)) for k, v in values.items()}
        text, errors = bundle.format_pattern(message.value, values)
        if errors:
            log.warning("locale %s key %s: %s", locale, key, errors)
        return text.strip()

    def all_labels(self, key: str) -> set[str]:
        """The text of `key` in every locale: how a reply-keyboard press (plain text) is recognised."""
        return {self(locale, key) for locale in LOCALES}


@lru_cache(maxsize=1)
def default_translator() -> Translator:
    return Translator()
