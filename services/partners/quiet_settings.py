"""Settings → Quiet hours: presets, a typed window ("22:00–08:00"), off; and the "name me in announcements"
switch. Digests, nudges, broadcasts and announcements written while a window is on wait for its end
(services.messaging.notify, services.partners.quiet)."""
from __future__ import annotations

import re
from typing import Any

from services.db.models import Partner
from services.db.uow import UnitOfWork
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen, Toast
from services.kernel.forms import Abort, Field, Form, FormRunner
from services.kernel.validation import Invalid
from services.partners import actions as act
from services.partners.current import current_partner
from services.partners.quiet import format_hhmm, parse_hhmm

FORM = "quiet"
STALE = "err-stale-button"
PRESETS = ((22 * 60, 8 * 60), (23 * 60, 7 * 60), (21 * 60, 9 * 60), (0, 9 * 60))
_SPLIT = re.compile(r"\s*(?:[-–—]|\.\.|to|до)\s*|\s+", re.IGNORECASE)


def parse_window(text: str) -> tuple[int, int]:
    """'22:00–08:00', '22-8', '23.30 - 7' → (start, end) minutes of the day; Invalid with an example otherwise."""
    parts = [p for p in _SPLIT.split(text.strip()) if p]
    if len(parts) != 2:
        raise Invalid("quiet-err-format")
    start, end = parse_hhmm(parts[0]), parse_hhmm(parts[1])
    if start is None or end is None:
        raise Invalid("quiet-err-format")
    if start == end:
        raise Invalid("quiet-err-same", {"time": format_hhmm(start)})
    return start, end


def window_text(partner: Partner) -> str:
    """"22:00–08:00", or "" when the partner has no window."""
    if partner.quiet_start is None or partner.quiet_end is None or partner.quiet_start == partner.quiet_end:
        return ""
    return f"{format_hhmm(partner.quiet_start)}–{format_hhmm(partner.quiet_end)}"


def quiet_menu(partner: Partner, *, edit: bool = True) -> Screen:
    current = window_text(partner)
    presets = [Button("quiet-btn-preset", act.SetQuiet(s, e).pack(), {"window": f"{format_hhmm(s)}–{format_hhmm(e)}"},
                      style="primary" if (s, e) == (partner.quiet_start, partner.quiet_end) else "default")
               for s, e in PRESETS]
    rows: list[tuple[Button, ...]] = [tuple(presets[i:i + 2]) for i in range(0, len(presets), 2)]
    rows.append((Button("quiet-btn-type", act.QuietType().pack()),))
    if current:
        rows.append((Button("quiet-btn-off", act.QuietOff().pack(), style="negative"),))
    rows.append((Button("btn-back", act.SettingsHome().pack()),))
    return Screen("quiet-menu", {"window": current or "none", "timezone": partner.timezone},
                  buttons=tuple(rows), edit=edit)


class QuietSettings:
    def __init__(self, deps: Deps, forms: FormRunner, table: ActionTable) -> None:
        self.deps = deps
        self.forms = forms
        forms.register(Form(FORM, [Field("window", "quiet-ask", parse_window)], self._typed,
                            prompt_args=self._prompt_args))
        table.on(act.QuietMenu, lambda inc, _: self.menu(inc))
        table.on(act.SetQuiet, lambda inc, a: self.set_window(inc, a.start, a.end))
        table.on(act.QuietOff, lambda inc, _: self.set_window(inc, None, None))
        table.on(act.QuietType, lambda inc, _: self.ask(inc))
        table.on(act.SetAnnounce, lambda inc, a: self.set_announce(inc, a.on))
        self.home: Any = None  # SettingsService.show, set by the wiring (the announce switch lives there)

    @staticmethod
    def _prompt_args(data: dict[str, Any]) -> dict[str, Any]:
        return {"timezone": data.get("timezone", "")}

    async def menu(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
        if isinstance(partner, Reply):
            return partner
        return Reply.of(quiet_menu(partner))

    async def set_window(self, inc: Incoming, start: int | None, end: int | None) -> Reply:
        if start is not None and (start >= 1440 or end is None or end >= 1440 or start == end):
            return Reply(toast=Toast(STALE))  # forged: the buttons only carry valid windows
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
            if isinstance(partner, Reply):
                return partner
            partner.quiet_start, partner.quiet_end = start, end  # the same values twice: a double tap is harmless
            await uow.commit()
        return Reply.of(quiet_menu(partner), toast=Toast("settings-saved"))

    async def ask(self, inc: Incoming) -> Reply:
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
            if isinstance(partner, Reply):
                return partner
            reply = await self.forms.begin(uow, inc, FORM, {"timezone": partner.timezone})
            await uow.commit()
        return reply

    async def _typed(self, uow: UnitOfWork, inc: Incoming, data: dict[str, Any]) -> Reply:
        partner = await current_partner(uow, inc)
        if isinstance(partner, Reply):
            raise Abort(partner)
        partner.quiet_start, partner.quiet_end = data["window"]
        return Reply.of(Screen("quiet-saved", {"window": window_text(partner), "timezone": partner.timezone}),
                        quiet_menu(partner, edit=False))

    async def set_announce(self, inc: Incoming, on: bool) -> Reply:
        async with self.deps.uow() as uow:
            partner = await current_partner(uow, inc, toast=True, refusal=STALE)
            if isinstance(partner, Reply):
                return partner
            partner.announce = on
            await uow.commit()
        reply = await self.home(inc, edit=True)
        reply.toast = Toast("settings-saved")
        return reply
