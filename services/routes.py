"""THE route table: every feature's commands (with their aliases in both languages), button prefixes and menu
section, bound to the use cases of one Services. Both messenger adapters register exactly this, in this order."""
from __future__ import annotations

from typing import TYPE_CHECKING

from services.kernel.features import Buttons, Command, Feature, Section, check

if TYPE_CHECKING:
    from services.app import Services


def features(s: Services) -> tuple[Feature, ...]:
    return check((
        Feature(
            "onboarding",
            commands=(
                Command(("start", "начать"), s.onboarding.start, "cmd-start", rank=1, payload=True),
                Command(("cancel", "отмена"), s.onboarding.cancel, "cmd-cancel", rank=9),
            ),
            # ob: the applicant's form; app:/rej: managers deciding on an application
            buttons=(Buttons(("ob:", "app:", "rej:"), s.onboarding.on_action),),
        ),
        Feature(
            "settings",
            commands=(Command(("language", "язык"), s.settings.language_menu, "cmd-language", rank=8),),
            buttons=(Buttons(("set:",), s.settings.on_action),),
            section=Section("settings", s.settings.show),
        ),
        Feature(
            "links",
            commands=(Command(("link", "links", "ссылки"), s.links.home, "cmd-link", rank=2),),
            buttons=(Buttons(("lnk:",), s.links.on_action),),
            section=Section("links", s.links.home),
        ),
        Feature(
            "admin",
            commands=(Command(("admin",), s.offers.admin_menu),),
            buttons=(Buttons(("adm:",), s.admin_action),),
        ),
        Feature(
            "support",
            commands=(
                Command(("support", "поддержка"), s.support.open, "cmd-support", rank=6),
                Command(("tickets",), s.support.list_open, groups=True),  # also in the staff group
            ),
            buttons=(Buttons(("sup:",), s.support.on_action),),
            section=Section("support", s.support.open),
        ),
        Feature(
            "faq",
            commands=(Command(("faq", "вопросы"), s.faq.home, "cmd-faq", rank=5),),
            buttons=(Buttons(("fq:", "fqa:"), s.faq.on_action),),
            section=Section("faq", s.faq.home),
        ),
        Feature(
            "stats",
            # "/stats 7d", "/stats 2026-11-01 2026-11-15", "/stats 30d by sub1": the text after the name is the query
            commands=(Command(("stats", "статистика"), s.stats.command, "cmd-stats", rank=3),),
            buttons=(Buttons(("st:",), s.stats.on_action),),
            section=Section("stats", s.stats.show),
        ),
        Feature(
            "kpi",  # program KPIs for managers and admins (also /admin → KPIs); not in the partners' command list
            commands=(Command(("kpi", "кпи"), s.kpi.command),),
            buttons=(Buttons(("kpi:",), s.kpi.on_action),),
        ),
        Feature(
            "dashboard",  # a personal, signed, single-use sign-in link to the web dashboard (/app)
            commands=(Command(("dashboard", "дашборд"), s.dashboard.link, "cmd-dashboard", rank=4),),
        ),
        Feature("balance", section=Section("balance", s.balance.show)),
        Feature(
            "materials",
            # mat: partners taking materials; mta: managers editing them
            buttons=(Buttons(("mat:",), s.materials.on_action), Buttons(("mta:",), s.materials_admin.on_action)),
            section=Section("materials", s.materials.home),
        ),
        # prm: a partner asking for their promo code; prma: managers listing, setting and revoking codes
        Feature("promo", buttons=(Buttons(("prm:", "prma:"), s.promo.on_action),)),
        Feature(
            "payouts",
            # pay: the partner's request and history (from Balance); pam: managers' queue (from /admin)
            buttons=(Buttons(("pay:",), s.payouts.on_action), Buttons(("pam:",), s.payout_staff.on_action)),
        ),
        Feature(
            "adjustments",  # managers crediting / debiting a balance with a reason; admins approving over a limit
            commands=(Command(("adjust", "корректировка"), s.adjustments.home),),
            buttons=(Buttons(("adj:",), s.adjustments.on_action),),
        ),
        Feature("bonuses", buttons=(Buttons(("bon:",), s.bonuses.on_action),)),  # managers' monthly plans
        # Shared by every feature; the adapters' catch-alls (free text, unknown buttons) follow it.
        Feature(
            "conversation",
            commands=(Command(("help", "помощь"), s.conversation.help, "cmd-help", rank=7),),
            buttons=(Buttons(("fm:",), s.forms.on_action), Buttons(("menu:",), s.conversation.on_menu_action)),
        ),
    ))
