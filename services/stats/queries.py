"""Partner statistics as plain data: what the chat, the CSV, the web dashboard and the REST API all show.

    report = await partner_stats(uow, partner_id, period, group_by="day")
    report.totals.clicks, report.rows[0].key, report.rows[0].figures.earnings["RUB"]

Figures (per row and in total):
  clicks         every click the redirect answered (flagged ones included: they were answered too)
  unique_clicks  clicks marked unique at write time (same visitor + link within 24 h counts once)
  conversions    {status: count} for pending / approved / rejected / refunded — conversions *created* in the
                 period, by their status now
  earnings       {currency: Decimal} commission of those conversions that are pending or approved
  l2_earnings    {currency: Decimal} second-level money booked in the ledger for sub-partners' conversions
                 created in the period (approvals net of reversals). Per-day rows carry it; rows by link, offer
                 or sub-id cannot (it comes from other partners' links): there it is in the totals only.
  cr             Decimal percent, 2 places: (pending + approved) / unique_clicks × 100; 0 without unique clicks
  epc            {currency: Decimal}, 2 places: earnings / clicks; empty without clicks

Rows: "day" → one per local day of the period (empty days included, chronological; key and label are ISO
dates); "link" / "offer" / "sub1".."sub5" → one per value seen in the period, most clicks first (key: the id or
the sub-id value, "" when absent; label: the link's name or code, the offer's name, the value or "—").

Clicks come from the hourly rollup (per partner, along the grouped dimension only) for whole hours before its watermark and from `clicks` for the rest: the
partial hours at the ends of a day in half- or quarter-hour time zones (e.g. Asia/Kolkata, +05:30: the hour
around each local midnight) and everything since the watermark. So any zone gets exact figures, and the work
for a period grows with its length, not with the history stored.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, case, func, literal_column, or_, select

from services.db.models import Partner
from services.db.stats_models import ClickHour
from services.db.tracking_models import Click, Conversion, LedgerEntry, Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.ledger.entries import AVAILABLE, HOLD, balances
from services.stats.periods import GROUPS, Period, local_midnight
from services.stats.rollups import HOUR, ceil_hour, floor_hour, rolled_until

STATUSES = ("pending", "approved", "rejected", "refunded")
EARNING = ("pending", "approved")
CENT = Decimal("0.01")
ZERO = Decimal("0")
RANGES_PER_QUERY = 200  # raw click ranges per statement (half-hour zones have two per day)


@dataclass
class Figures:
    clicks: int = 0
    unique_clicks: int = 0
    conversions: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    earnings: dict[str, Decimal] = field(default_factory=dict)
    l2_earnings: dict[str, Decimal] = field(default_factory=dict)

    @property
    def cr(self) -> Decimal:
        if not self.unique_clicks:
            return ZERO.quantize(CENT)
        converted = sum(self.conversions.get(status, 0) for status in EARNING)
        return (Decimal(converted) * 100 / self.unique_clicks).quantize(CENT, ROUND_HALF_UP)

    @property
    def epc(self) -> dict[str, Decimal]:
        if not self.clicks:
            return {}
        return {cur: (amount / self.clicks).quantize(CENT, ROUND_HALF_UP) for cur, amount in self.earnings.items()}

    def add(self, other: Figures) -> None:
        self.clicks += other.clicks
        self.unique_clicks += other.unique_clicks
        for status, count in other.conversions.items():
            self.conversions[status] = self.conversions.get(status, 0) + count
        for mine, theirs in ((self.earnings, other.earnings), (self.l2_earnings, other.l2_earnings)):
            for currency, amount in theirs.items():
                mine[currency] = mine.get(currency, ZERO) + amount

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (Decimals as strings)."""
        def money(values: dict[str, Decimal]) -> dict[str, str]:
            # Cents as "170.50"; a revshare's fraction of a cent stays ("0.3750"), never rounded away here.
            return {cur: str(amount.quantize(CENT) if amount == amount.quantize(CENT) else amount.normalize())
                    for cur, amount in sorted(values.items())}

        return {"clicks": self.clicks, "unique_clicks": self.unique_clicks, "conversions": dict(self.conversions),
                "cr": str(self.cr), "epc": money(self.epc), "earnings": money(self.earnings),
                "l2_earnings": money(self.l2_earnings)}


@dataclass(frozen=True)
class StatsRow:
    key: str
    label: str
    figures: Figures


@dataclass
class StatsReport:
    period: Period
    group_by: str
    totals: Figures
    rows: list[StatsRow]

    def to_dict(self) -> dict[str, Any]:
        return {"period": {**self.period.label_args, "start": self.period.start.isoformat(),
                           "end": self.period.end.isoformat(), "code": self.period.code},
                "group_by": self.group_by, "totals": self.totals.to_dict(),
                "rows": [{"key": r.key, "label": r.label, **r.figures.to_dict()} for r in self.rows]}


_SUB_COLUMNS = {f"sub{n}": n for n in range(1, 6)}


def _raw_key(group_by: str) -> Any | None:
    """The column a raw click query groups by (None for days: the bucket is the key)."""
    if group_by == "link":
        return Click.link_id
    if group_by == "offer":
        return Click.offer_id
    if group_by in _SUB_COLUMNS:
        return func.coalesce(getattr(Click, group_by), "")
    return None


class _Buckets:
    """Time buckets (days, or the whole period) and which of their parts the rollup covers."""

    def __init__(self, bounds: list[datetime], rolled: datetime | None) -> None:
        self.bounds = bounds
        self.covered: list[tuple[datetime, datetime] | None] = []
        self.raw: list[tuple[datetime, datetime, int]] = []  # (from, to, bucket) read from clicks
        for index, (lo, hi) in enumerate(zip(bounds, bounds[1:])):
            c_lo, c_hi = ceil_hour(lo), min(floor_hour(hi), rolled) if rolled is not None else lo
            if c_hi > c_lo:
                self.covered.append((c_lo, c_hi))
                self.raw += [(a, b, index) for a, b in ((lo, c_lo), (c_hi, hi)) if b > a]
            else:
                self.covered.append(None)
                self.raw.append((lo, hi, index))

    def of(self, at: datetime) -> int | None:
        index = bisect_right(self.bounds, at) - 1
        return index if 0 <= index < len(self.bounds) - 1 else None

    def covers(self, index: int, hour: datetime) -> bool:
        span = self.covered[index]
        return span is not None and span[0] <= hour < span[1]


async def partner_stats(uow: UnitOfWork, partner_id: int, period: Period, group_by: str = "day") -> StatsReport:
    if group_by not in GROUPS:
        raise ValueError(f"unknown grouping {group_by!r}")
    start = period.start
    if period.preset == "all":  # day rows from the partner's first activity, not from ALL_TIME_START
        first = await _first_activity(uow, partner_id)
        start = max(start, local_midnight(first.astimezone(period.zone).date(), period.zone)) if first else \
            max(start, local_midnight(period.last_day, period.zone))
    bounds = period.day_starts(since=start) if group_by == "day" else [start, period.end]
    buckets = _Buckets(bounds, await rolled_until(uow))
    cells: dict[tuple[int, str], Figures] = defaultdict(Figures)
    await _rolled_clicks(uow, partner_id, group_by, buckets, cells)
    await _raw_clicks(uow, partner_id, group_by, buckets, cells)
    await _conversions(uow, partner_id, group_by, buckets, cells)
    l2 = await _l2(uow, partner_id, buckets)
    totals = Figures()
    if group_by == "day":
        for index, amounts in l2.items():
            cells[(index, "")].l2_earnings.update(amounts)
        rows = [StatsRow(day, day, cells.get((index, ""), Figures()))
                for index, day in enumerate(b.astimezone(period.zone).date().isoformat() for b in bounds[:-1])]
    else:
        labels = await _labels(uow, group_by, {key for _, key in cells})
        rows = [StatsRow(key, labels.get(key, key) or "—", figures) for (_, key), figures in cells.items()]
        rows.sort(key=lambda r: (-r.figures.clicks, -sum(r.figures.conversions.values()), r.label))
        for amounts in l2.values():
            totals.add(Figures(l2_earnings=amounts))
    for row in rows:
        totals.add(row.figures)
    return StatsReport(period, group_by, totals, rows)


async def _first_activity(uow: UnitOfWork, partner_id: int) -> datetime | None:
    partner = await uow.partners.get(partner_id)
    found = [partner.created_at] if partner is not None else []
    for column, where in ((Click.created_at, Click.partner_id == partner_id),
                          (Conversion.created_at, Conversion.partner_id == partner_id),
                          (ClickHour.hour, and_(ClickHour.partner_id == partner_id, ClickHour.dim == "all"))):
        value = await uow.session.scalar(select(func.min(column)).where(where))
        if value is not None:
            found.append(value)
    return min(found) if found else None


async def _rolled_clicks(uow: UnitOfWork, partner_id: int, group_by: str, buckets: _Buckets,
                         cells: dict[tuple[int, str], Figures]) -> None:
    spans = [span for span in buckets.covered if span is not None]
    if not spans:
        return
    dim = "all" if group_by == "day" else group_by
    by_hour = len(buckets.covered) > 1
    columns = ([ClickHour.hour] if by_hour else []) + ([ClickHour.key] if dim != "all" else [])
    rows = await uow.session.execute(
        select(*columns, func.sum(ClickHour.clicks), func.sum(ClickHour.unique_clicks))
        .where(ClickHour.partner_id == partner_id, ClickHour.dim == dim, ClickHour.hour >= spans[0][0],
               ClickHour.hour < spans[-1][1])
        .group_by(*columns))
    for row in rows:
        if row[-2] is None:  # no group columns and nothing rolled: one row of NULL sums
            continue
        index = buckets.of(row[0]) if by_hour else 0
        if index is None or (by_hour and not buckets.covers(index, row[0])):
            continue  # an hour split by a local midnight: read raw instead
        cell = cells[(index, row[-3] if dim != "all" else "")]
        cell.clicks += int(row[-2])
        cell.unique_clicks += int(row[-1])


async def _raw_clicks(uow: UnitOfWork, partner_id: int, group_by: str, buckets: _Buckets,
                      cells: dict[tuple[int, str], Figures]) -> None:
    key = _raw_key(group_by)
    for first in range(0, len(buckets.raw), RANGES_PER_QUERY):
        ranges = buckets.raw[first:first + RANGES_PER_QUERY]
        # One index range per piece ((partner_id, created_at) equality + range in every OR term).
        where = or_(*(and_(Click.partner_id == partner_id, Click.created_at >= lo, Click.created_at < hi)
                      for lo, hi, _ in ranges))
        piece = case(*((Click.created_at < hi, n) for n, (_, hi, _) in enumerate(ranges)), else_=len(ranges))
        columns = [piece] + ([key] if key is not None else [])
        rows = await uow.session.execute(
            select(*columns, func.count(), func.sum(case((Click.is_unique, 1), else_=0)))
            .where(where).group_by(*columns))
        for row in rows:
            cell = cells[(ranges[row[0]][2], "" if key is None else str(row[1]))]
            cell.clicks += int(row[-2])
            cell.unique_clicks += int(row[-1] or 0)


def _bucket_case(column: Any, buckets: _Buckets) -> Any:
    """SQL: the bucket index of a timestamp (the caller keeps it within the buckets)."""
    bounds = buckets.bounds
    if len(bounds) == 2:
        return literal_column("0")
    return case(*((column < hi, n) for n, hi in enumerate(bounds[1:-1])), else_=len(bounds) - 2)


async def _conversions(uow: UnitOfWork, partner_id: int, group_by: str, buckets: _Buckets,
                       cells: dict[tuple[int, str], Figures]) -> None:
    """Conversions counted and summed in SQL per (bucket, status, currency, key): a period's worth of rows
    never travels to Python one by one."""
    on_click = group_by in _SUB_COLUMNS and group_by != "sub1"  # conversions keep sub1; sub2.. are the click's
    key = getattr(Click, group_by) if on_click else \
        {"link": Conversion.link_id, "offer": Conversion.offer_id, "sub1": Conversion.sub1}.get(group_by)
    inner = select(_bucket_case(Conversion.created_at, buckets).label("bucket"),
                   Conversion.status.label("status"), Conversion.currency.label("currency"),
                   (key if key is not None else literal_column("''")).label("key"),
                   Conversion.commission.label("commission")) \
        .where(Conversion.partner_id == partner_id, Conversion.created_at >= buckets.bounds[0],
               Conversion.created_at < buckets.bounds[-1])
    if on_click:
        inner = inner.outerjoin(Click, Click.id == Conversion.click_pk)
    sub = inner.subquery()
    rows = await uow.session.execute(
        select(sub.c.bucket, sub.c.status, sub.c.currency, sub.c.key, func.count(), func.sum(sub.c.commission))
        .group_by(sub.c.bucket, sub.c.status, sub.c.currency, sub.c.key))
    for index, status, currency, value, count, commission in rows:
        cell = cells[(int(index), "" if value is None else str(value))]
        cell.conversions[status] = cell.conversions.get(status, 0) + count
        if status in EARNING:
            # SQLite sums NUMERIC as floating point; commissions have at most 4 places, so rounding back is exact.
            amount = Decimal(str(commission or 0)).quantize(Decimal("0.0001"))
            cell.earnings[currency] = cell.earnings.get(currency, ZERO) + amount


async def _l2(uow: UnitOfWork, partner_id: int, buckets: _Buckets) -> dict[int, dict[str, Decimal]]:
    """Second-level money per bucket: the partner's ledger entries on their sub-partners' conversions."""
    rows = await uow.session.execute(
        select(Conversion.created_at, LedgerEntry.currency, LedgerEntry.amount)
        # "+ 0": not through ix_ledger_partner_bucket, which would read the partner's whole ledger history; the
        # sub-partners' conversions of the period lead, then each one's entries by conversion_id.
        .join(LedgerEntry, and_(LedgerEntry.conversion_id == Conversion.id, LedgerEntry.partner_id + 0 == partner_id))
        .where(Conversion.partner_id.in_(select(Partner.id).where(Partner.parent_id == partner_id,
                                                                  Partner.id != partner_id)),
               Conversion.created_at >= buckets.bounds[0], Conversion.created_at < buckets.bounds[-1]))
    found: dict[int, dict[str, Decimal]] = defaultdict(dict)
    for created_at, currency, amount in rows:
        index = buckets.of(created_at)
        if index is not None:
            found[index][currency] = found[index].get(currency, ZERO) + amount
    return found


async def _labels(uow: UnitOfWork, group_by: str, keys: Iterable[str]) -> dict[str, str]:
    ids = [int(key) for key in keys if key.isdigit()]
    if group_by == "link" and ids:
        rows = await uow.session.execute(select(TrackingLink.id, TrackingLink.name, TrackingLink.code)
                                         .where(TrackingLink.id.in_(ids)))
        return {str(i): name or code for i, name, code in rows}
    if group_by == "offer" and ids:
        rows = await uow.session.execute(select(Offer.id, Offer.name).where(Offer.id.in_(ids)))
        return {str(i): name for i, name in rows}
    return {}


async def balance_summary(uow: UnitOfWork, partner_id: int) -> dict[str, dict[str, Decimal]]:
    """{currency: {"on_hold", "available", "paid_out"}} from the ledger (paid_out: payouts, as a positive sum)."""
    summary = {cur: {"on_hold": b.get(HOLD, ZERO), "available": b.get(AVAILABLE, ZERO), "paid_out": ZERO}
               for cur, b in (await balances(uow, partner_id)).items()}
    rows = await uow.session.execute(
        select(LedgerEntry.currency, func.sum(LedgerEntry.amount))
        .where(LedgerEntry.partner_id == partner_id, LedgerEntry.kind == "payout").group_by(LedgerEntry.currency))
    for currency, total in rows:
        entry = summary.setdefault(currency, {"on_hold": ZERO, "available": ZERO, "paid_out": ZERO})
        # SQLite sums NUMERIC as floating point; entries have at most 4 places, so rounding back is exact.
        entry["paid_out"] = -Decimal(total or 0).quantize(Decimal("0.0001")) + ZERO
    return summary
