"""The route table's own rules: no name, prefix or section claimed twice; /help lists what the command menu does."""
from __future__ import annotations

import re

import pytest

from services.app import Services
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply
from services.kernel.features import Buttons, Command, Feature, Section, check, listed
from services.kernel.i18n import LOCALES


async def nothing(inc: Incoming) -> Reply:
    return Reply()


@pytest.mark.parametrize("clash", [
    (Feature("a", commands=(Command(("link",), nothing),)), Feature("b", commands=(Command(("LINK",), nothing),))),
    (Feature("a", commands=(Command(("ссылки",), nothing),)), Feature("b", commands=(Command(("Ссылки",), nothing),))),
    (Feature("a", commands=(Command(("/link",), nothing),)),),
    (Feature("a", buttons=(Buttons(("fq:",), nothing),)), Feature("b", buttons=(Buttons(("fq:x",), nothing),))),
    (Feature("a", buttons=(Buttons(("lnk",), nothing),)),),
    (Feature("a", section=Section("links", nothing)), Feature("b", section=Section("links", nothing))),
    (Feature("a", section=Section("nowhere", nothing)),),
])
def test_check_refuses_a_table_features_would_fight_over(clash):
    with pytest.raises(ValueError):
        check(clash)


def test_the_table_passes_its_own_check_and_serves_the_menu():
    features = Services(Deps(uow=lambda: None)).features  # type: ignore[arg-type]  # builds without a DB
    assert check(features) == features
    assert features[-1].name == "conversation"  # shared entries last, right before the adapters' catch-alls
    assert {f.section.name for f in features if f.section} == {"links", "stats", "materials", "balance", "contests",
                                                               "faq", "support", "settings"}


def test_help_lists_the_command_menu_in_its_order():
    """/help is a locale text; it must name exactly the commands Telegram's command menu shows, in order."""
    services = Services(Deps(uow=lambda: None))  # type: ignore[arg-type]  # builds without a DB
    menu = [c.names[0] for c in listed(services.features)]
    assert menu == ["start", "link", "stats", "dashboard", "faq", "contest", "support", "help", "language",
                    "cancel"]
    for locale in LOCALES:
        assert re.findall(r"^/(\w+) — ", services.translator(locale, "help"), re.M) == menu, locale
