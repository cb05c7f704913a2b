"""Partner settings: language, time zone, muted notifications (quiet hours: services.partners.quiet_settings)."""
from __future__ import annotations

from zoneinfo import ZoneInfo, available_timezones

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError

from services.db.tracking_models import NotificationMute
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Incoming, Reply, Toast
from services.kernel.i18n import LOCALES
from services.messaging.notify import MUTABLE_KINDS
from services.partners import actions as act
from services.partners import screens
from services.partners.current import current_partner
from services.partners.quiet_settings import window_text

# Offered as buttons (the zone travels in the callback data, validated against the IANA database).
COMMON_TIMEZONES = (
    "Europe/Kaliningrad", "Europe/Moscow", "Europe/Samara", "Asia/Yekaterinburg", "Asia/Omsk",
    "Asia/Novosibirsk", "Asia/Irkutsk", "Asia/Vladivostok", "Asia/Almaty", "UTC",
)  # ten: a VK inline keyboard holds at most 10 buttons
STALE = "err-stale-button"  # settings buttons are only ever shown to partners


class SettingsService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.on_action = t = ActionTable()  # set:…
        t.on(act.LanguageMenu, lambda inc, _: self.language_menu(inc))
        t.on(act.SetLanguage, lambda inc, a: self.set_language(inc, a.locale))
        t.on(act.TimezoneMenu, lambda inc, _: self.timezone_menu(inc))
        t.on(act.SetTimezone, lambda inc, a: self.set_timezone(inc, a.zone))
        t.on(act.SettingsHome, lambda inc, _: self.show(inc, edit=True))
        t.on(act.MuteMenu, lambda inc, _: self.mute_menu(inc))
        t.on(act.SetMute, lambda inc, a: self.set_mute(inc, a.kind, a.mute))
        t.on(act.MutePage, lambda inc, a: self.mute_menu(inc, page=a.page))

    async def show(self, inc: Incoming, *, edit: bool = False) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc)
        if isinstance(partner, Reply):
            return partner
        return Reply.of(screens.settings_home(partner, edit=edit, quiet=window_text(partner)))

    async def language_menu(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc)
        if isinstance(partner, Reply):
            return partner
        return Reply.of(screens.language_menu(partner.locale))

    async def set_language(self, inc: Incoming, locale: str) -> Reply:
        if locale not in LOCALES:
            return Reply(toast=Toast(STALE))
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
            if isinstance(partner, Reply):
                return partner
            partner.locale = locale
            await uow.commit()
        # The persistent menu is re-sent so its labels switch language too.
        return Reply(screens=[screens.with_status_menu(partner, "settings-language-saved")],
                     toast=Toast("settings-saved"))

    async def timezone_menu(self, inc: Incoming) -> Reply:
        return Reply.of(screens.timezone_menu(COMMON_TIMEZONES))

    async def set_timezone(self, inc: Incoming, zone: str) -> Reply:
        if zone not in available_timezones():
            return Reply(toast=Toast(STALE))
        ZoneInfo(zone)
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
            if isinstance(partner, Reply):
                return partner
            partner.timezone = zone
            await uow.commit()
        reply = await self.show(inc, edit=True)
        reply.toast = Toast("settings-saved")
        return reply

    async def mute_menu(self, inc: Incoming, *, toast: Toast | None = None, page: int = 0) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
            if isinstance(partner, Reply):
                return partner
            muted = set((await uow.session.scalars(select(NotificationMute.kind).where(
                NotificationMute.partner_id == partner.id))).all())
        return Reply(screens=[screens.mute_menu(MUTABLE_KINDS, muted, page)], toast=toast)

    async def set_mute(self, inc: Incoming, kind: str, mute: bool) -> Reply:
        if kind not in MUTABLE_KINDS:
            return Reply(toast=Toast(STALE))
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
            if isinstance(partner, Reply):
                return partner
            if not mute:
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
        return await self.mute_menu(inc, toast=Toast("settings-saved"), page=MUTABLE_KINDS.index(kind) // screens.MUTE_PAGE)
