"""Stats in the chat (Telegram and VK alike): `/stats [period] [by …]`, menu → Stats, period and grouping
buttons, a PNG chart and a CSV export.

Buttons carry "st:<verb>:<period code>:<group>" (verbs: v view, g grouping menu, png chart, csv export), the
period code being a preset ("7d") or a date range ("20261101-20261115"): a pressed button is worked out again
at press time in the partner's current time zone, so "today" is always today. Charts and exports answer at once
with a progress message, then replace it with the result and the file (Reply.then).
"""
from __future__ import annotations

import asyncio
from decimal import Decimal
from collections.abc import Awaitable, Callable
from typing import Any

from services.db.models import Partner
from services.kernel.actions import ActionTable
from services.kernel.deps import Deps
from services.kernel.dto import Attachment, Button, Incoming, Reply, Screen, Toast
from services.kernel.money import format_money
from services.stats.chart import render_png
from services.stats.export import to_csv
from services.stats.periods import GROUPS, Period, PeriodError, parse_period
from services.stats.queries import EARNING, StatsReport, StatsRow, balance_summary, partner_stats

CODE = r"([0-9a-z]{1,9}|\d{8}-\d{8})"
GROUP = r"(day|link|offer|sub[1-5])"
PERIOD_BUTTONS = (("today", "yesterday", "7d"), ("30d", "month", "lastmonth"))
GROUP_BUTTONS = (("day", "link", "offer"), ("sub1", "sub2", "sub3"), ("sub4", "sub5"))
CHAT_ROWS = 31  # rows listed in a message (the CSV has all of them)
LABEL_MAX = 24


def _money(amounts: dict[str, Decimal]) -> str:
    return ", ".join(format_money(amount, currency) for currency, amount in sorted(amounts.items())) or "0.00"


def _label_args(report: StatsReport) -> dict[str, Any]:
    args = report.period.label_args
    if report.period.preset == "all" and report.group_by == "day" and report.rows:
        args["from"] = report.rows[0].key  # the first active day rather than the start of "all"
    return args


def _row_line(row: StatsRow, group_by: str) -> str:
    figures = row.figures
    label = row.label if len(row.label) <= LABEL_MAX else row.label[:LABEL_MAX - 1] + "…"
    line = (f"{label} · {figures.clicks} · {figures.unique_clicks} · "
            f"{sum(figures.conversions.get(s, 0) for s in EARNING)} · {_money(figures.earnings)}")
    return line + (f" · 🤝 {_money(figures.l2_earnings)}" if figures.l2_earnings else "")


def _active(row: StatsRow) -> bool:
    f = row.figures
    return bool(f.clicks or any(f.conversions.values()) or f.earnings or f.l2_earnings)


def report_screen(report: StatsReport, balance: dict[str, dict[str, Decimal]], *, edit: bool = False) -> Screen:
    period, group = report.period, report.group_by
    totals = report.totals
    rows = [row for row in report.rows if _active(row)]
    shown = rows[-CHAT_ROWS:] if group == "day" else rows[:CHAT_ROWS]  # latest days / biggest values
    args = {
        **_label_args(report), "group": group,
        "clicks": totals.clicks, "unique": totals.unique_clicks,
        **{status: count for status, count in totals.conversions.items()},
        "cr": str(totals.cr), "epc": _money(totals.epc), "earnings": _money(totals.earnings),
        "l2": _money(totals.l2_earnings),
        "hold": _money({cur: b["on_hold"] for cur, b in balance.items()}),
        "available": _money({cur: b["available"] for cur, b in balance.items()}),
        "paid": _money({cur: b["paid_out"] for cur, b in balance.items()}),
        "has_rows": "yes" if shown else "no", "rows": "\n".join(_row_line(row, group) for row in shown),
        "more": len(rows) - len(shown),
    }
    return Screen("stats-report", args, buttons=buttons(period, group), edit=edit)


def buttons(period: Period, group: str) -> tuple[tuple[Button, ...], ...]:
    def preset(name: str) -> Button:
        return Button("stats-btn-period", f"st:v:{name}:{group}",
                      {"period": {"7d": "last7", "30d": "last30"}.get(name, name),
                       "on": "yes" if period.preset == name else "no"})

    code = period.code
    return (*(tuple(preset(name) for name in row) for row in PERIOD_BUTTONS),
            (preset("all"), Button("stats-btn-group", f"st:g:{code}:{group}", {"group": group})),
            (Button("stats-btn-chart", f"st:png:{code}:{group}"), Button("stats-btn-csv", f"st:csv:{code}:{group}")))


class StatsService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        self.on_action = ActionTable()  # st:…
        # Other areas' screens after the report (partner id → Screen or None): bonus plans' progress.
        self.extras: list[Callable[[int], Awaitable[Screen | None]]] = []
        self.on_action.add(rf"st:v:{CODE}:{GROUP}", self._view, int_groups=False)
        self.on_action.add(rf"st:g:{CODE}:{GROUP}", self._group_menu, int_groups=False)
        self.on_action.add(rf"st:png:{CODE}:{GROUP}", self._chart, int_groups=False)
        self.on_action.add(rf"st:csv:{CODE}:{GROUP}", self._csv, int_groups=False)

    async def show(self, inc: Incoming) -> Reply:
        """Menu → Stats: the default period, by day."""
        return await self._typed(inc, "")

    async def command(self, inc: Incoming) -> Reply:
        """/stats [period] [by group] (also "stats" / "статистика" typed alone)."""
        parts = (inc.text or "").strip().split(maxsplit=1)
        return await self._typed(inc, parts[1] if len(parts) > 1 else "")

    async def _typed(self, inc: Incoming, text: str) -> Reply:
        partner = await self._partner(inc)
        if partner is None:
            return Reply.of(Screen("err-approved-only"))
        try:
            period, group = parse_period(text, partner.timezone, self.deps.clock.now())
        except PeriodError as bad:
            return Reply.of(Screen(bad.key, bad.args))
        extra = [screen for extra in self.extras if (screen := await extra(partner.id)) is not None]
        return Reply(screens=[await self._report_screen(partner.id, period, group), *extra])

    async def _resolve(self, inc: Incoming, code: str) -> tuple[Partner, Period] | None:
        partner = await self._partner(inc)
        if partner is None:
            return None
        try:
            period, _ = parse_period(code, partner.timezone, self.deps.clock.now())
        except PeriodError:
            return None
        return partner, period

    async def _view(self, inc: Incoming, code: str, group: str) -> Reply:
        found = await self._resolve(inc, code)
        if found is None:
            return Reply(toast=Toast("err-stale-button"))
        partner, period = found
        return Reply.of(await self._report_screen(partner.id, period, group, edit=True))

    async def _group_menu(self, inc: Incoming, code: str, group: str) -> Reply:
        if await self._resolve(inc, code) is None:
            return Reply(toast=Toast("err-stale-button"))
        rows = tuple(tuple(Button("stats-btn-group-item", f"st:v:{code}:{name}",
                                  {"group": name, "on": "yes" if name == group else "no"}) for name in row)
                     for row in GROUP_BUTTONS)
        return Reply.of(Screen("stats-choose-group", buttons=(*rows, (Button("btn-back", f"st:v:{code}:{group}"),)),
                               edit=True))

    async def _chart(self, inc: Incoming, code: str, group: str) -> Reply:
        found = await self._resolve(inc, code)
        if found is None:
            return Reply(toast=Toast("err-stale-button"))
        partner_id, locale, period = found[0].id, found[0].locale, found[1]

        async def draw() -> Reply:
            async with self.deps.uow() as uow:
                report = await partner_stats(uow, partner_id, period, "day")  # a chart is always per day
            png = await asyncio.to_thread(render_png, report, locale)  # matplotlib: seconds of CPU, off the loop
            return Reply.of(Screen("stats-chart-ready", _label_args(report), edit=True,
                                   attachments=(Attachment.generated("photo", f"stats-{period.code}.png", png),)))

        return Reply.of(Screen("stats-exporting", {"what": "chart"}), then=draw)

    async def _csv(self, inc: Incoming, code: str, group: str) -> Reply:
        found = await self._resolve(inc, code)
        if found is None:
            return Reply(toast=Toast("err-stale-button"))
        partner_id, locale, period = found[0].id, found[0].locale, found[1]

        async def export() -> Reply:
            async with self.deps.uow() as uow:
                report = await partner_stats(uow, partner_id, period, group)
            data = await asyncio.to_thread(to_csv, report, locale)
            name = f"stats-{period.code}-{group}.csv"
            return Reply.of(Screen("stats-csv-ready", {**_label_args(report), "count": len(report.rows)}, edit=True,
                                   attachments=(Attachment.generated("document", name, data),)))

        return Reply.of(Screen("stats-exporting", {"what": "csv"}), then=export)

    async def _report_screen(self, partner_id: int, period: Period, group: str, *, edit: bool = False) -> Screen:
        assert group in GROUPS
        async with self.deps.uow() as uow:
            report = await partner_stats(uow, partner_id, period, group)
            balance = await balance_summary(uow, partner_id)
        return report_screen(report, balance, edit=edit)

    async def _partner(self, inc: Incoming) -> Partner | None:
        """The approved partner writing (stats are theirs alone); None for anyone else."""
        async with self.deps.uow() as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
        return partner if partner is not None and partner.status == "approved" else None
