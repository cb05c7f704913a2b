"""Partner settings: language and time zone."""
from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from services.deps import Deps
from services.dto import Button, Incoming, Reply, Screen, Toast
from services.i18n import LOCALES
from services.menu import main_menu_screen
from services.onboarding import language_buttons

# Offered as buttons (the zone travels in the callback data, validated against the IANA database).
COMMON_TIMEZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Irkutsk", "Asia/Vladivostok", "Asia/Almaty", "UTC",
)  # ten: a VK inline keyboard holds at most 10 buttons


class SettingsService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def show(self, inc: Incoming, *, edit: bool = False) -> Reply:
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is None:
                return Reply.of(Screen("err-start-first"))
            return Reply.of(Screen("settings-title", {"language": partner.locale, "timezone": partner.timezone},
                                   buttons=((Button("settings-btn-language", "set:lang"),),
                                            (Button("settings-btn-timezone", "set:tz"),)), edit=edit))

    async def language_menu(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is None:
                return Reply.of(Screen("err-start-first"))
            return Reply.of(Screen("settings-choose-language", buttons=language_buttons("set:lang", partner.locale)))

    async def set_language(self, inc: Incoming, locale: str) -> Reply:
        if locale not in LOCALES:
            return Reply(toast=Toast("err-stale-button"))
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is None:
                return Reply(toast=Toast("err-stale-button"))
            partner.locale = locale
            await uow.commit()
            approved = partner.status == "approved"
        # The persistent menu is re-sent so its labels switch language too.
        screen = main_menu_screen("settings-language-saved") if approved else Screen("settings-language-saved")
        return Reply(screens=[screen], toast=Toast("settings-saved"))

    async def timezone_menu(self, inc: Incoming) -> Reply:
        rows = tuple(
            tuple(Button("tz-label", f"set:tz:{zone}", {"zone": zone}) for zone in COMMON_TIMEZONES[i:i + 2])
            for i in range(0, len(COMMON_TIMEZONES), 2)
        )
        return Reply.of(Screen("settings-choose-timezone", buttons=rows, edit=True))

    async def set_timezone(self, inc: Incoming, zone: str) -> Reply:
        if zone not in available_timezones():
            return Reply(toast=Toast("err-stale-button"))
        ZoneInfo(zone)
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is None:
                return Reply(toast=Toast("err-stale-button"))
            partner.timezone = zone
            await uow.commit()
        reply = await self.show(inc, edit=True)
        reply.toast = Toast("settings-saved")
        return reply
