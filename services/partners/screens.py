"""Screens of the partners area: onboarding questions and statuses, the application card, settings."""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from services.db.models import Application, MessengerAccount, Partner
from services.kernel.dto import Button, Screen
from services.kernel.i18n import LOCALES
from services.kernel.menu import main_menu_screen
from services.partners import actions as act
from services.partners.status import ApplicationStatus, PartnerStatus

BACK = Button("btn-back", act.OnboardingBack().pack())
CANCEL = Button("btn-cancel", act.OnboardingCancel().pack())
REJECT_PRESETS = ("traffic", "incomplete", "duplicate", "geo")


def language_buttons(kind: type[act.OnboardingLanguage] | type[act.SetLanguage], selected: str | None
                     ) -> tuple[tuple[Button, ...], ...]:
    return (tuple(
        Button(f"lang-{code}", kind(code).pack(), {"mark": "✓ " if code == selected else ""},
               style="primary" if code == selected else "default")
        for code in LOCALES
    ),)


# ---- onboarding -----------------------------------------------------------------------------------------------

def step_screen(step: str, data: dict[str, Any], selected_locale: str | None = None) -> Screen:
    """The question of one form step, with its buttons."""
    if step == "language":
        return Screen("ob-welcome", buttons=language_buttons(act.OnboardingLanguage, selected_locale))
    if step == "terms":
        return Screen("ob-ask-terms", buttons=((Button("btn-accept-terms", act.OnboardingTerms().pack(),
                                                       style="positive"),), (BACK, CANCEL)))
    previous = data.get(step)
    if isinstance(previous, list):
        previous = ", ".join(previous)
    return Screen(f"ob-ask-{step}", {"previous": previous or "", "has_previous": "yes" if previous else "no"},
                  buttons=((BACK, CANCEL),))


def with_status_menu(partner: Partner | None, text_key: str) -> Screen:
    """A plain notice; an approved partner gets the main menu with it (so its labels follow the language)."""
    if partner is not None and partner.status == PartnerStatus.APPROVED:
        return main_menu_screen(text_key)
    return Screen(text_key)


def status_screen(partner: Partner, latest: Application | None) -> Screen:
    """What a partner past the form sees on /start."""
    if partner.status == PartnerStatus.APPLIED:
        return Screen("ob-status-applied", menu=())
    if partner.status == PartnerStatus.APPROVED:
        return main_menu_screen("menu-title")
    if partner.status == PartnerStatus.REJECTED:
        return Screen("ob-status-rejected", {"reason": latest.reason or "" if latest else "",
                                             "preset": latest.reason_code or "" if latest else ""}, menu=())
    return Screen("ob-status-blocked", menu=())


# ---- the application card (managers) --------------------------------------------------------------------------

@dataclass(frozen=True)
class ApplicationView:
    """An application with what managers need to decide on it."""

    application: Application
    partner: Partner
    accounts: Sequence[MessengerAccount]
    parent: Partner | None


def application_card(view: ApplicationView, *, edit: bool = False) -> Screen:
    """After the decision it says who decided and drops the buttons."""
    application, partner, parent = view.application, view.partner, view.parent
    contacts = ", ".join(f"{a.messenger}:{a.external_id}" + (f" (@{a.username})" if a.username else "")
                         for a in view.accounts)
    answers = application.answers
    args = {
        "id": application.id, "partner": partner.id, "name": answers.get("name", ""),
        "email": answers.get("email", ""), "sources": "\n".join(answers.get("sources", [])),
        "audience": answers.get("audience", 0), "contacts": contacts, "locale": partner.locale,
        "parent": f"#{parent.id} {parent.name or ''}".strip() if parent else "—",
        "decision": application.decision, "who": application.decided_by_name or "",
        "reason": application.reason or "", "preset": application.reason_code or "",
    }
    buttons: tuple[tuple[Button, ...], ...] = ()
    if application.decision == ApplicationStatus.PENDING:
        buttons = ((Button("btn-approve", act.ApplicationApprove(application.id).pack(), style="positive"),
                    Button("btn-reject", act.ApplicationReject(application.id).pack(), style="negative")),)
    return Screen("mgr-application-card", args, buttons=buttons, edit=edit)


def reject_reason_screen(application_id: int) -> Screen:
    rows = tuple((Button(f"reject-reason-{code}", act.RejectPreset(application_id, code).pack()),)
                 for code in REJECT_PRESETS)
    return Screen("mgr-reject-ask", {"id": application_id},
                  buttons=rows + ((Button("btn-back", act.ApplicationCard(application_id).pack()),),))


def decision_screen(decision: str, partner: Partner, reason: str | None, reason_code: str | None) -> Screen:
    """What the applicant hears about the decision."""
    if decision == ApplicationStatus.APPROVED:
        return main_menu_screen("ob-approved", name=partner.name or "")
    return Screen("ob-rejected", {"reason": reason or "", "preset": reason_code or ""}, menu=())


# ---- settings -------------------------------------------------------------------------------------------------

def settings_home(partner: Partner, *, edit: bool = False, quiet: str = "") -> Screen:
    """`quiet`: the quiet-hours window as text ("22:00–08:00"), "" when off. Buttons two per row where they
    fit: a VK inline keyboard takes at most 6 rows."""
    return Screen("settings-title", {"language": partner.locale, "timezone": partner.timezone,
                                     "quiet": quiet or "none", "announce": "yes" if partner.announce else "no"},
                  buttons=((Button("settings-btn-language", act.LanguageMenu().pack()),
                            Button("settings-btn-timezone", act.TimezoneMenu().pack())),
                           (Button("settings-btn-notifications", act.MuteMenu().pack()),
                            Button("settings-btn-quiet", act.QuietMenu().pack())),
                           (Button("settings-btn-announce", act.SetAnnounce(not partner.announce).pack(),
                                   {"on": "yes" if partner.announce else "no"}),),
                           (Button("pay-btn-details", "set:pay"),),  # services.payouts registers it
                           (Button("ct-btn-name-menu", "ct:name"),),  # services.contests: name on leaderboards
                           (Button("settings-btn-link-account", act.LinkAccount().pack()),)), edit=edit)


def language_menu(locale: str) -> Screen:
    return Screen("settings-choose-language", buttons=language_buttons(act.SetLanguage, locale))


def timezone_menu(zones: Sequence[str]) -> Screen:
    rows = tuple(tuple(Button("tz-label", act.SetTimezone(zone).pack(), {"zone": zone}) for zone in zones[i:i + 2])
                 for i in range(0, len(zones), 2))
    return Screen("settings-choose-timezone", buttons=rows, edit=True)


MUTE_PAGE = 6  # kinds per page, two per row: with paging and Back it stays within VK's 10 buttons / 6 rows


def mute_menu(kinds: Sequence[str], muted: set[str], page: int = 0) -> Screen:
    pages = max(1, -(-len(kinds) // MUTE_PAGE))
    page = min(max(page, 0), pages - 1)
    shown = kinds[page * MUTE_PAGE:(page + 1) * MUTE_PAGE]
    items = [Button("mute-item", act.SetMute(kind, kind not in muted).pack(),
                    {"kind": kind, "on": "no" if kind in muted else "yes"}) for kind in shown]
    rows: list[tuple[Button, ...]] = [tuple(items[i:i + 2]) for i in range(0, len(items), 2)]
    paging = tuple(Button(label, act.MutePage(to).pack()) for label, to in (("btn-prev", page - 1), ("btn-next", page + 1))
                   if 0 <= to < pages)
    if paging:
        rows.append(paging)
    rows.append((Button("btn-back", act.SettingsHome().pack()),))
    return Screen("settings-notifications", buttons=tuple(rows), edit=True)
