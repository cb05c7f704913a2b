"""Guards on the house rules: locale parity, no messenger library in services/, Telegram's 64-byte callbacks."""
from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

from fluent.syntax import FluentParser, ast as fast
from fluent.syntax.visitor import Visitor

from services.kernel.i18n import LOCALES, LOCALES_DIR, Translator

ROOT = Path(__file__).resolve().parents[2]


def _variables(pattern: fast.Pattern | None) -> set[str]:
    found: set[str] = set()

    class Collector(Visitor):
        def visit_VariableReference(self, node: fast.VariableReference) -> None:
            found.add(node.id.name)

    if pattern is not None:
        Collector().visit(pattern)
    return found


def _messages(locale: str) -> dict[str, set[str]]:
    messages: dict[str, set[str]] = {}
    for path in sorted((LOCALES_DIR / locale).glob("*.ftl")):
        for entry in FluentParser().parse(path.read_text(encoding="utf-8")).body:
            assert not isinstance(entry, fast.Junk), f"{path}: unparsable entry {entry.content[:80]!r}"
            if isinstance(entry, fast.Message):
                assert entry.id.name not in messages, f"{entry.id.name} defined twice in {locale}"
                messages[entry.id.name] = _variables(entry.value)
    return messages


def test_locales_have_the_same_keys_and_variables():
    ru, en = _messages("ru"), _messages("en")
    assert set(ru) - set(en) == set(), "keys only in ru"
    assert set(en) - set(ru) == set(), "keys only in en"
    mismatched = {key: (ru[key], en[key]) for key in ru if ru[key] != en[key]}
    assert mismatched == {}, "the same message must take the same variables in every language"
    assert Translator().errors == []


def test_every_locale_key_used_in_code_exists():
    """Every string literal in services/ shaped like a locale key (word-word…) is a message in the locales."""
    keys = Translator().keys["en"]
    shape = re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)+$")
    used: dict[str, str] = {}
    for path in (ROOT / "services").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and shape.match(node.value):
                used.setdefault(node.value, str(path.relative_to(ROOT)))
    not_keys = {"utf-8", "change-me"}
    missing = {key: where for key, where in used.items() if key not in keys and key not in not_keys}
    assert missing == {}


def test_keys_built_at_run_time_exist():
    """Keys assembled from parts (f"menu-{section}") — enumerated here from the same sources of truth."""
    from services.kernel.menu import SECTIONS
    from services.offers.service import CURRENCIES, EDITABLE
    from services.partners.onboarding import REJECT_PRESETS, STEPS

    keys = Translator().keys["en"]
    built = ({f"menu-{s}" for s in SECTIONS} | {f"lang-{l}" for l in LOCALES}
             | {f"ob-ask-{s}" for s in STEPS if s != "language"} | {f"reject-reason-{c}" for c in REJECT_PRESETS}
             | {f"offer-field-{f}" for f in EDITABLE} | {f"currency-{c.lower()}" for c in CURRENCIES}
             | {"offer-paused", "offer-active"})
    assert built - keys == set()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_services_never_import_messenger_libraries():
    offenders = {
        str(path.relative_to(ROOT)): sorted(_imports(path) & {"aiogram", "vkbottle", "vkbottle_types", "handlers", "bot"})
        for path in (ROOT / "services").rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}
    # And at run time: importing every services module loads neither library.
    modules = sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in (ROOT / "services").rglob("*.py"))
    code = ("import importlib, sys\n"
            f"for m in {modules!r}: importlib.import_module(m.removesuffix('.__init__'))\n"
            "bad = [m for m in sys.modules if m.split('.')[0] in ('aiogram', 'vkbottle')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)


def test_callback_actions_fit_telegram_limit():
    """Every action pattern with the largest ids it can carry stays within 64 bytes."""
    from services.partners.settings import COMMON_TIMEZONES

    big = 10**18
    actions = [f"app:ok:{big}", f"app:no:{big}", f"app:card:{big}", *(f"rej:{big}:{c}" for c in
               ("traffic", "incomplete", "duplicate", "geo")), *(f"set:tz:{z}" for z in COMMON_TIMEZONES),
               *(f"ob:lang:{l}" for l in LOCALES), *(f"set:lang:{l}" for l in LOCALES)]
    too_long = [a for a in actions if len(a.encode()) > 64]
    assert too_long == []


def test_every_typed_action_fits_telegram_limit():
    """Every ActionData type, packed with the largest values it can carry, stays within 64 bytes. A new text field
    needs its possible values listed here (its pattern alone does not bound it)."""
    import dataclasses
    import typing

    from services.faq import actions as faq
    from services.faq.knowledge import ENTRY_FIELDS
    from services.kernel import menu
    from services.kernel.actions import ActionData
    from services.links import actions as links
    from services.messaging.notify import MUTABLE_KINDS
    from services.partners import actions as partners
    from services.partners.screens import REJECT_PRESETS
    from services.partners.settings import COMMON_TIMEZONES
    from services.support import actions as support

    text_values = {("SetTimezone", "zone"): COMMON_TIMEZONES, ("SetMute", "kind"): MUTABLE_KINDS,
                   ("RejectPreset", "reason"): REJECT_PRESETS, ("AdminEdit", "field"): ENTRY_FIELDS,
                   ("OnboardingLanguage", "locale"): LOCALES, ("SetLanguage", "locale"): LOCALES,
                   ("OpenSection", "section"): menu.SECTIONS}

    def largest(kind: type, spec: dataclasses.Field) -> object:
        hint = typing.get_type_hints(kind)[spec.name]
        if type(None) in typing.get_args(hint):  # X | None
            hint = next(a for a in typing.get_args(hint) if a is not type(None))
        if hint is int:
            return 10**18 - 1
        if hint is bool:
            return True
        if typing.get_origin(hint) is typing.Literal:
            return max(typing.get_args(hint), key=lambda v: len(str(v)))
        return max(text_values[(kind.__name__, spec.name)], key=len)

    kinds = [k for m in (partners, links, support, faq, menu) for k in vars(m).values()
             if isinstance(k, type) and issubclass(k, ActionData) and k is not ActionData]
    assert len(kinds) > 40
    for kind in kinds:
        packed = kind(**{f.name: largest(kind, f) for f in dataclasses.fields(kind)}).pack()
        assert len(packed.encode()) <= 64, packed
