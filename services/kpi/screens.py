"""/kpi in the chat (Telegram and VK alike) for managers and admins: `/kpi [period] [offer N]`, /admin → KPIs,
period buttons, the definitions, a PNG chart, a CSV export and a sign-in link to the KPI page of the web
dashboard. Every handler checks the role itself (buttons can be forged or outlive a revoked role).

Buttons are typed (kpi:v / kpi:png / kpi:csv carry the period code and the offer, 0 = all offers): a pressed
button is worked out again at press time, so "today" is always today. Days are counted in the manager's own time
zone when they are a partner too, otherwise in PROGRAM_TIMEZONE.
"""
from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from typing import Any

from services.db.tracking_models import Offer
from services.db.uow import UnitOfWork
from services.kernel.actions import ActionData, ActionTable, token
from services.kernel.deps import Deps
from services.kernel.i18n import pick_locale
from services.kernel.dto import Attachment, Button, Incoming, Reply, Screen, Toast
from services.kpi import chart, export
from services.kpi.access import kpi_zone
from services.kpi.format import NONE, arrow, metric_text, money_text, plain
from services.kpi.queries import KpiReport, program_kpis
from services.stats.periods import Period, PeriodError, parse_period

CODE = r"(?:today|yesterday|\d{1,3}d|month|lastmonth|\d{8}-\d{8})"
PERIOD_BUTTONS = (("today", "yesterday", "7d"), ("30d", "month", "lastmonth"))
_OFFER = re.compile(r"\s*(?:offer|оффер)\s*#?(\d{1,18})\s*$", re.IGNORECASE)


class KpiView(ActionData, prefix="kpi:v"):
    period: str = token(CODE)
    offer: int = 0


class KpiChart(ActionData, prefix="kpi:png"):
    period: str = token(CODE)
    offer: int = 0


class KpiCsv(ActionData, prefix="kpi:csv"):
    period: str = token(CODE)
    offer: int = 0


class KpiHelp(ActionData, prefix="kpi:help"):
    period: str = token(CODE)
    offer: int = 0


class KpiWeb(ActionData, prefix="kpi:web"):
    pass


def report_args(report: KpiReport, offer_name: str | None) -> dict[str, Any]:
    previous = report.previous_period
    args: dict[str, Any] = {**report.period.label_args, "prev_from": previous.first_day.isoformat(),
                            "prev_to": previous.last_day.isoformat(), "offer": offer_name or "",
                            "has_offer": "yes" if offer_name else "no"}
    for metric in report.metrics:
        args[metric.name] = metric_text(metric)
    minutes = next(m for m in report.metrics if m.name == "first_response_minutes")  # the unit goes between
    args["frt_known"] = "no" if minutes.value is None else "yes"
    args["first_response_minutes"], args["frt_change"] = plain(minutes.value, "minutes"), arrow(minutes.change)
    for name, rows in (("top_partners", report.top_partners), ("top_offers", report.top_offers)):
        args[name] = "\n".join(f"{n}. {row.label[:32]} · {row.conversions} · {row.clicks} · "
                               f"{money_text(row.commissions)}" for n, row in enumerate(rows, 1)) or NONE
    return args


def buttons(period: Period, offer: int) -> tuple[tuple[Button, ...], ...]:
    def preset(name: str) -> Button:
        return Button("stats-btn-period", KpiView(name, offer).pack(),
                      {"period": {"7d": "last7", "30d": "last30"}.get(name, name),
                       "on": "yes" if period.preset == name else "no"})

    code = period.code
    return (*(tuple(preset(name) for name in row) for row in PERIOD_BUTTONS),
            (Button("stats-btn-chart", KpiChart(code, offer).pack()), Button("stats-btn-csv", KpiCsv(code, offer).pack())),
            (Button("kpi-btn-help", KpiHelp(code, offer).pack()), Button("kpi-btn-web", KpiWeb().pack())))


class KpiService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        # Set by the wiring: the staff sign-in link of the web dashboard (services/dashboard).
        self.web_link: Callable[[Incoming], Awaitable[Reply]] | None = None
        self.on_action = ActionTable()  # kpi:…
        self.on_action.on(KpiView, lambda inc, a: self._view(inc, a.period, a.offer, edit=True))
        self.on_action.on(KpiChart, self._chart)
        self.on_action.on(KpiCsv, self._csv)
        self.on_action.on(KpiHelp, self._help)
        self.on_action.on(KpiWeb, self._web)

    async def command(self, inc: Incoming) -> Reply:
        """/kpi [period] [offer N] (also "kpi" / "кпи" typed alone)."""
        parts = (inc.text or "").strip().split(maxsplit=1)
        text = parts[1] if len(parts) > 1 else ""
        offer = 0
        if (found := _OFFER.search(text)) is not None:
            offer, text = int(found.group(1)), text[:found.start()]
        return await self._view(inc, text, offer, typed=True)

    async def _allowed(self, uow: UnitOfWork, inc: Incoming) -> str | None:
        """The time zone to count days in, for a manager or admin; None for anyone else."""
        return await kpi_zone(uow, inc, self.deps.config.program_timezone)

    async def _report(self, inc: Incoming, text: str, offer: int) -> tuple[KpiReport, str | None] | Screen | None:
        """The report, and the offer's name; a refusal Screen for bad input; None for someone not allowed."""
        async with self.deps.uow(readonly=True) as uow:
            tz = await self._allowed(uow, inc)
            if tz is None:
                return None
            try:
                period, group = parse_period(text, tz, self.deps.clock.now())
            except PeriodError:
                return Screen("kpi-err-period", {"text": text[:64]})
            if group != "day" or period.preset == "all":  # KPIs have no grouping; "all" has no previous period
                return Screen("kpi-err-period", {"text": text[:64]})
            name = None
            if offer:
                found = await uow.session.get(Offer, offer)
                if found is None:
                    return Screen("kpi-err-offer", {"id": offer})
                name = found.name
            return await program_kpis(uow, period, offer or None), name

    async def _view(self, inc: Incoming, code: str, offer: int, *, edit: bool = False, typed: bool = False) -> Reply:
        found = await self._report(inc, code, offer)
        if found is None:
            return Reply.of(Screen("err-not-allowed")) if typed else Reply(toast=Toast("err-not-allowed", alert=True))
        if isinstance(found, Screen):
            return Reply.of(found) if typed else Reply(toast=Toast("err-stale-button"))
        report, name = found
        return Reply.of(Screen("kpi-report", report_args(report, name), buttons=buttons(report.period, offer),
                               edit=edit))

    async def _help(self, inc: Incoming, action: KpiHelp) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if await self._allowed(uow, inc) is None:
                return Reply(toast=Toast("err-not-allowed", alert=True))
        return Reply.of(Screen("kpi-help", buttons=((Button("btn-back", KpiView(action.period, action.offer).pack()),),),
                               edit=True))

    async def _file(self, inc: Incoming, code: str, offer: int, what: str,
                    make: Callable[[KpiReport, str], bytes], kind: str, name: str) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if await self._allowed(uow, inc) is None:
                return Reply(toast=Toast("err-not-allowed", alert=True))
            locale = await _locale(uow, inc, self.deps.config.default_locale)

        async def produce() -> Reply:
            found = await self._report(inc, code, offer)
            if not isinstance(found, tuple):
                return Reply.of(Screen("kpi-file-failed", edit=True))
            report = found[0]
            data = await asyncio.to_thread(make, report, locale)  # matplotlib / csv: CPU work, off the loop
            suffix = f"-offer{offer}" if offer else ""
            return Reply.of(Screen(f"kpi-{what}-ready", report.period.label_args, edit=True, attachments=(
                Attachment.generated(kind, f"kpi-{report.period.code}{suffix}.{name}", data),)))

        return Reply.of(Screen("stats-exporting", {"what": what}), then=produce)

    async def _chart(self, inc: Incoming, action: KpiChart) -> Reply:
        return await self._file(inc, action.period, action.offer, "chart", chart.render_png, "photo", "png")

    async def _csv(self, inc: Incoming, action: KpiCsv) -> Reply:
        return await self._file(inc, action.period, action.offer, "csv", export.to_csv, "document", "csv")

    async def _web(self, inc: Incoming, action: KpiWeb) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            if await self._allowed(uow, inc) is None or self.web_link is None:
                return Reply(toast=Toast("err-not-allowed", alert=True))
        return await self.web_link(inc)


async def _locale(uow: UnitOfWork, inc: Incoming, default: str) -> str:
    """The language files are made in: the person's choice as a partner, else the program's default."""
    account = await uow.accounts.get(inc.messenger, inc.user_id)
    partner = await uow.partners.get(account.partner_id) if account else None
    return partner.locale if partner is not None else pick_locale(inc.language_code, default)
