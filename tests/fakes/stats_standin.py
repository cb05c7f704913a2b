"""TEMPORARY stand-in for services/stats (branch stats-core owns it) with the agreed interface, so the dashboard
can be built and tested before that branch lands. install() adds only the modules still missing (periods.py
is real); delete this file once queries.py and export.py have landed."""
from __future__ import annotations

import importlib.util
import sys
import types
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

STATUSES = ("pending", "approved", "rejected", "refunded")


@dataclass
class Figures:
    clicks: int = 0
    unique_clicks: int = 0
    conversions: dict = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    cr: Decimal = Decimal("0")
    epc: dict = field(default_factory=dict)
    earnings: dict = field(default_factory=dict)
    l2_earnings: dict = field(default_factory=dict)


@dataclass(frozen=True)
class StatsRow:
    key: str
    label: str
    figures: Figures


@dataclass(frozen=True)
class StatsReport:
    period: object
    group_by: str
    totals: Figures
    rows: list


def _finish(f: Figures) -> None:
    good = f.conversions["approved"] + f.conversions["pending"]
    f.cr = (Decimal(good) * 100 / f.unique_clicks).quantize(Decimal("0.01")) if f.unique_clicks else Decimal("0")
    f.epc = {c: (a / f.clicks).quantize(Decimal("0.01")) if f.clicks else Decimal("0") for c, a in f.earnings.items()}


async def partner_stats(uow, partner_id: int, period, group_by: str = "day") -> StatsReport:
    from services.db.tracking_models import Click, Conversion, TrackingLink

    zone = ZoneInfo(period.tz)
    links = {l.id: l for l in (await uow.session.scalars(
        select(TrackingLink).where(TrackingLink.partner_id == partner_id))).all()}
    clicks = (await uow.session.scalars(select(Click).where(
        Click.partner_id == partner_id, Click.created_at >= period.start, Click.created_at < period.end))).all()
    convs = (await uow.session.scalars(select(Conversion).where(
        Conversion.partner_id == partner_id, Conversion.created_at >= period.start,
        Conversion.created_at < period.end))).all()
    click_sub = {c.id: c for c in clicks}

    def key_of(obj, is_click: bool) -> tuple[str, str]:
        if group_by == "day":
            day = obj.created_at.astimezone(zone).date()
            return day.isoformat(), day.strftime("%d.%m")
        if group_by == "link":
            link_id = obj.link_id if is_click else (click_sub[obj.click_pk].link_id if obj.click_pk in click_sub
                                                     else None)
            link = links.get(link_id)
            return (str(link_id), (link.name or link.code) if link else "—")
        value = getattr(obj if is_click else click_sub.get(obj.click_pk), group_by, None) or "—"
        return value, value

    totals = Figures()
    groups: dict[str, Figures] = defaultdict(Figures)
    labels: dict[str, str] = {}
    if group_by == "day":
        first = min([c.created_at for c in clicks] + [c.created_at for c in convs], default=period.end
                    - timedelta(days=1))
        day = max(period.start, first).astimezone(zone).date()
        while datetime.combine(day, time(), zone) < period.end:
            labels[day.isoformat()] = day.strftime("%d.%m")
            groups[day.isoformat()] = Figures()
            day += timedelta(days=1)
    for click in clicks:
        key, label = key_of(click, True)
        labels[key] = label
        for f in (totals, groups[key]):
            f.clicks += 1
            f.unique_clicks += int(click.is_unique)
    for conv in convs:
        key, label = key_of(conv, False)
        labels[key] = label
        for f in (totals, groups[key]):
            f.conversions[conv.status] += 1
            if conv.status in ("approved", "pending"):
                f.earnings[conv.currency] = f.earnings.get(conv.currency, Decimal("0")) + conv.commission
    for f in (totals, *groups.values()):
        _finish(f)
    return StatsReport(period, group_by, totals, [StatsRow(k, labels[k], groups[k]) for k in groups])


async def balance_summary(uow, partner_id: int) -> dict:
    from services.ledger.entries import balances

    sums = await balances(uow, partner_id)
    return {cur: {"on_hold": b.get("hold", Decimal("0")), "available": b.get("available", Decimal("0")),
                  "paid_out": Decimal("0")} for cur, b in sums.items()}


def to_csv(report: StatsReport) -> bytes:
    lines = ["key,label,clicks,unique_clicks,approved,pending"]
    for row in report.rows:
        f = row.figures
        lines.append(f"{row.key},{row.label},{f.clicks},{f.unique_clicks},{f.conversions['approved']},"
                     f"{f.conversions['pending']}")
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def install() -> None:
    import services.stats as package

    modules = {"queries": ("Figures", "StatsRow", "StatsReport", "partner_stats", "balance_summary"),
               "export": ("to_csv",)}
    for name, names in modules.items():
        if importlib.util.find_spec(f"services.stats.{name}") is not None:
            continue
        module = types.ModuleType(f"services.stats.{name}")
        for attr in names:
            setattr(module, attr, globals()[attr])
        sys.modules[f"services.stats.{name}"] = module
        setattr(package, name, module)
