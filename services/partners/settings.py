"""Partner settings: language and time zone."""
from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from services.kernel.actions import ActionTable
from services.db.tracking_models import NotificationMute
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.i18n import LOCALES
from services.kernel.menu import main_menu_screen
from services.messaging.notify import MUTABLE_KINDS
from services.partners.onboarding import language_buttons

# Offered as buttons (the zone travels in the callback data, validated against the IANA database).
COMMON_TIMEZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Irkutsk", "Asia/Vladivostok", "Asia/Almaty", "UTC",
)  # ten: a VK inline keyboard holds at most 10 buttons


class SettingsService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.on_action = ActionTable()  # set:…
        self.on_action.add(r"set:lang", self.language_menu)
        self.on_action.add(r"set:lang:([a-z]{2})", self.set_language)
        self.on_action.add(r"set:tz", self.timezone_menu)
        self.on_action.add(r"set:tz:([A-Za-z_/+\-0-9]{1,40})", self.set_timezone, int_groups=False)
        self.on_action.add(r"set:home", lambda inc: self.show(inc, edit=True))
        self.on_action.add(r"set:mute", self.mute_menu)
        self.on_action.add(r"set:mute:([a-z_0-9]+):([01])", self.set_mute, int_groups=False)

    async def show(self, inc: Incoming, *, edit: bool = False) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is None:
                return Reply.of(Screen("err-start-first"))
            return Reply.of(Screen("settings-title", {"language": partner.locale, "timezone": partner.timezone},
                                   buttons=((Button("settings-btn-language", "set:lang"),),
                                            (Button("settings-btn-timezone", "set:tz"),),
                                            (Button("settings-btn-notifications", "set:mute"),),
                                            (Button("pay-btn-details", "set:pay"),),
                                            (Button("settings-btn-link-account", "set:linkacc"),)), edit=edit))

    async def language_menu(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
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

    async def mute_menu(self, inc: Incoming, *, toast: Toast | None = None) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await self._partner(uow, inc)
            if partner is None:
                return Reply(toast=Toast("err-stale-button"))
            muted = set((await uow.session.scalars(select(NotificationMute.kind).where(
                NotificationMute.partner_id == partner.id))).all())
        rows = tuple(
            # The button says what it will do (mute=1 / unmute=0), so a double tap cannot flip it back.
            (Button("mute-item", f"set:mute:{kind}:{0 if kind in muted else 1}",
                    {"kind": kind, "on": "no" if kind in muted else "yes"}),)
            for kind in MUTABLE_KINDS
        )
        return Reply(screens=[Screen("settings-notifications", buttons=rows + ((Button("btn-back", "set:home"),),),
                                     edit=True)], toast=toast)

    async def set_mute(self, inc: Incoming, kind: str, mute: str) -> Reply:
        if kind not in MUTABLE_KINDS:
            return Reply(toast=Toast("err-stale-button"))
        async with self.deps.uow() as uow:
            partner = await self._partner(uow, inc)
            if partner is None:
                return Reply(toast=Toast("err-stale-button"))
            if mute == "0":
                await uow.session.execute(delete(NotificationMute).where(
                    NotificationMute.partner_id == partner.id, NotificationMute.kind == kind))
            else:
                try:
                    async with uow.session.begin_nested():
                        uow.session.add(NotificationMute(partner_id=partner.id, kind=kind,
                                                         created_at=self.deps.clock.now()))
                except IntegrityError:  # a double tap already muted it
                    pass
            await uow.commit()
        return await self.mute_menu(inc, toast=Toast("settings-saved"))

    async def _partner(self, uow, inc: Incoming):  # type: ignore[no-untyped-def]
        account = await uow.accounts.get(inc.messenger, inc.user_id)
        return await uow.partners.get(account.partner_id) if account else None
