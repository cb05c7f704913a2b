"""Program KPIs as plain data: `await program_kpis(uow, period, offer_id=None)` → KpiReport.

The figures of the period, of the previous period of the same length (for the changes) and the active partners
of the one before that (for the previous period's retention). Clicks come from the hourly rollup
(stats_click_hours) for whole hours before its watermark and from `clicks` for the rest, as in /stats, so a
month over 10 M clicks reads a few thousand rollup rows. Queries that span partners go partner by partner
through the (partner_id, …) indexes (`partner_id IN (SELECT id FROM partners)`): there is no index on time alone.

An offer narrows what belongs to an offer (clicks, active partners, conversions, commissions, ARPU, PLTV, top
lists); sign-ups, payouts, support and FAQ figures belong to the program as a whole and stay unfiltered.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, case, exists, func, literal_column, select

from services.db.models import Application, Partner
from services.db.payout_models import Payout, PayoutEvent
from services.db.stats_models import ClickHour
from services.db.support_models import Ticket
from services.db.tracking_models import Click, Conversion, Offer
from services.db.uow import UnitOfWork
from services.faq.knowledge import KnowledgeBase
from services.kpi.figures import DayPoint, Figures, Metric, TopRow, metric_dict, metrics
from services.stats.periods import Period, between
from services.stats.rollups import ceil_hour, floor_hour, rolled_until

TOP = 5
EARNING = ("pending", "approved")
PLACES = Decimal("0.0001")  # commissions have at most 4 places: SQLite's float sums round back exactly


@dataclass
class KpiReport:
    period: Period
    previous_period: Period
    offer_id: int | None
    current: Figures
    previous: Figures
    top_partners: list[TopRow]
    top_offers: list[TopRow]
    daily: list[DayPoint]

    @property
    def metrics(self) -> list[Metric]:
        return metrics(self.current, self.previous)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (money as decimal strings per currency, ISO dates, null for "no value")."""
        def span(period: Period) -> dict[str, Any]:
            return {"from": period.first_day.isoformat(), "to": period.last_day.isoformat(), "tz": period.tz,
                    "start": period.start.isoformat(), "end": period.end.isoformat(), "days": period.days}

        def money(values: dict[str, Decimal]) -> dict[str, str]:
            return {cur: str(amount) for cur, amount in sorted(values.items())}

        def top(rows: list[TopRow]) -> list[dict[str, Any]]:
            return [{"id": r.id, "label": r.label, "clicks": r.clicks, "conversions": r.conversions,
                     "commissions": money(r.commissions)} for r in rows]

        return {"period": span(self.period), "previous_period": span(self.previous_period),
                "offer_id": self.offer_id, "metrics": {m.name: metric_dict(m) for m in self.metrics},
                "top_partners": top(self.top_partners), "top_offers": top(self.top_offers),
                "daily": [{"day": d.day.isoformat(), "clicks": d.clicks, "conversions": d.conversions,
                           "active_partners": d.active_partners, "commissions": money(d.commissions)}
                          for d in self.daily]}


def previous_period(period: Period) -> Period:
    """The same number of local days right before `period`."""
    first = period.first_day
    return between(first - timedelta(days=period.days), first - timedelta(days=1), period.tz)


async def program_kpis(uow: UnitOfWork, period: Period, offer_id: int | None = None, *, top: int = TOP) -> KpiReport:
    previous = previous_period(period)
    before = previous_period(previous)
    rolled = await rolled_until(uow)
    now = await _collect(uow, period, offer_id, rolled, daily=True, top=top)
    then = await _collect(uow, previous, offer_id, rolled, daily=False, top=0)
    earlier = await _partner_clicks(uow, [before.start, before.end], offer_id, rolled)
    earlier_active = {partner for _, partner in earlier}
    now.figures.previous_active, now.figures.retained = len(then.active), len(now.active & then.active)
    then.figures.previous_active, then.figures.retained = len(earlier_active), len(then.active & earlier_active)
    return KpiReport(period, previous, offer_id, now.figures, then.figures, now.top_partners, now.top_offers,
                     now.daily)


@dataclass
class _Collected:
    figures: Figures
    active: set[int] = field(default_factory=set)
    daily: list[DayPoint] = field(default_factory=list)
    top_partners: list[TopRow] = field(default_factory=list)
    top_offers: list[TopRow] = field(default_factory=list)


async def _collect(uow: UnitOfWork, period: Period, offer_id: int | None, rolled: datetime | None, *,
                   daily: bool, top: int) -> _Collected:
    bounds = period.day_starts() if daily else [period.start, period.end]
    start, end = period.start, period.end
    got = _Collected(Figures(days=period.days))
    f = got.figures
    # Clicks: per (day, partner); totals, active partners and the top partners' clicks follow from them.
    partner_clicks = await _partner_clicks(uow, bounds, offer_id, rolled)
    by_partner: dict[int, int] = defaultdict(int)
    day_clicks: dict[int, int] = defaultdict(int)
    day_active: dict[int, int] = defaultdict(int)
    for (bucket, partner), (clicks, unique) in partner_clicks.items():
        f.clicks += clicks
        f.unique_clicks += unique
        by_partner[partner] += clicks
        day_clicks[bucket] += clicks
        day_active[bucket] += 1
    got.active = set(by_partner)
    f.active_partners = len(got.active)
    # Conversions: per day for the series, per (partner, offer) for the totals and the top lists.
    day_conv: dict[int, int] = defaultdict(int)
    day_money: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    for bucket, status, currency, flagged, count, commission in await _conversions_by_day(uow, bounds, offer_id):
        f.all_conversions += count
        f.flagged += count if flagged else 0
        if status in EARNING:
            f.conversions += count
            day_conv[bucket] += count
            day_money[bucket][currency] += commission
            f.commissions[currency] = f.commissions.get(currency, Decimal(0)) + commission
    if daily:
        got.daily = [DayPoint(b.astimezone(period.zone).date(), day_clicks[i], day_conv[i], day_active[i],
                              dict(sorted(day_money[i].items()))) for i, b in enumerate(bounds[:-1])]
    if top:
        got.top_partners, got.top_offers = await _tops(uow, bounds, offer_id, rolled, by_partner, top)
    await _people(uow, f, start, end)
    await _payouts(uow, f, start, end)
    await _support(uow, f, start, end)
    faq = await KnowledgeBase.kpi(uow, start, until=end)
    f.faq_questions, f.faq_escalated = faq.total, faq.escalated
    return got


def _spans(bounds: list[datetime], rolled: datetime | None) -> tuple[list[tuple[datetime, datetime]],
                                                                      list[tuple[datetime, datetime]], set[datetime]]:
    """(rolled spans, raw ranges, split hours): which parts of the buckets the rollup covers — whole UTC hours
    before the watermark inside one bucket — and which are read from `clicks` (the rest)."""
    covered, raw, split = [], [], set()
    for lo, hi in zip(bounds, bounds[1:]):
        c_lo, c_hi = ceil_hour(lo), (min(floor_hour(hi), rolled) if rolled is not None else lo)
        if c_hi > c_lo:
            covered.append((c_lo, c_hi))
            raw += [(a, b) for a, b in ((lo, c_lo), (c_hi, hi)) if b > a]
        else:
            raw.append((lo, hi))
    for bound in bounds[1:-1]:
        if floor_hour(bound) != bound:  # a local midnight inside a UTC hour (half-hour zones): read raw
            split.add(floor_hour(bound))
    return covered, raw, split


def _bucket(column: Any, bounds: list[datetime]) -> Any:
    if len(bounds) == 2:
        return literal_column("0")
    return case(*((column < hi, n) for n, hi in enumerate(bounds[1:-1])), else_=len(bounds) - 2)


async def _partner_clicks(uow: UnitOfWork, bounds: list[datetime], offer_id: int | None,
                          rolled: datetime | None) -> dict[tuple[int, int], tuple[int, int]]:
    """{(bucket, partner id): (clicks, unique clicks)}, only where there were clicks."""
    return await _click_cells(uow, bounds, offer_id, rolled, by_offer=False)


async def _click_cells(uow: UnitOfWork, bounds: list[datetime], offer_id: int | None, rolled: datetime | None,
                       *, by_offer: bool) -> dict[tuple[int, int], tuple[int, int]]:
    covered, raw, split = _spans(bounds, rolled)
    cells: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
    partners = select(Partner.id).scalar_subquery()
    if covered:
        dim = "offer" if by_offer or offer_id is not None else "all"
        where = [ClickHour.partner_id.in_(partners), ClickHour.dim == dim, ClickHour.hour >= covered[0][0],
                 ClickHour.hour < covered[-1][1]]
        if offer_id is not None:
            where.append(ClickHour.key == str(offer_id))
        if split:
            where.append(ClickHour.hour.not_in(sorted(split)))
        inner = select(_bucket(ClickHour.hour, bounds).label("bucket"),
                       (ClickHour.key if by_offer else ClickHour.partner_id).label("who"),
                       ClickHour.clicks.label("clicks"), ClickHour.unique_clicks.label("uniq")).where(*where)
        sub = inner.subquery()
        rows = await uow.session.execute(select(sub.c.bucket, sub.c.who, func.sum(sub.c.clicks), func.sum(sub.c.uniq))
                                         .group_by(sub.c.bucket, sub.c.who))
        for bucket, who, clicks, unique in rows:
            cell = cells[(int(bucket), int(who))]
            cell[0] += int(clicks or 0)
            cell[1] += int(unique or 0)
    for lo, hi in raw:  # usually one range (since the watermark); two more per day in half-hour zones
        bucket = max(i for i, b in enumerate(bounds[:-1]) if b <= lo)
        who = Click.offer_id if by_offer else Click.partner_id
        where = [Click.partner_id.in_(partners), Click.created_at >= lo, Click.created_at < hi]
        if offer_id is not None:
            where.append(Click.offer_id == offer_id)
        rows = await uow.session.execute(select(who, func.count(), func.sum(case((Click.is_unique, 1), else_=0)))
                                         .where(*where).group_by(who))
        for key, clicks, unique in rows:
            cell = cells[(bucket, int(key))]
            cell[0] += int(clicks)
            cell[1] += int(unique or 0)
    return {key: (c, u) for key, (c, u) in cells.items() if c}


def _conversion_filter(bounds: list[datetime], offer_id: int | None) -> list[Any]:
    where = [Conversion.partner_id.in_(select(Partner.id).scalar_subquery()),
             Conversion.created_at >= bounds[0], Conversion.created_at < bounds[-1]]
    if offer_id is not None:
        where.append(Conversion.offer_id == offer_id)
    return where


def _amount(value: Any) -> Decimal:
    return Decimal(str(value or 0)).quantize(PLACES)


async def _conversions_by_day(uow: UnitOfWork, bounds: list[datetime], offer_id: int | None) -> list[tuple]:
    flagged = case((and_(Conversion.flags.is_not(None), Conversion.flags != ""), 1), else_=0)
    sub = select(_bucket(Conversion.created_at, bounds).label("bucket"), Conversion.status.label("status"),
                 Conversion.currency.label("currency"), flagged.label("flagged"),
                 Conversion.commission.label("commission")).where(*_conversion_filter(bounds, offer_id)).subquery()
    rows = await uow.session.execute(
        select(sub.c.bucket, sub.c.status, sub.c.currency, sub.c.flagged, func.count(), func.sum(sub.c.commission))
        .group_by(sub.c.bucket, sub.c.status, sub.c.currency, sub.c.flagged))
    return [(int(b), s, c, bool(fl), int(n), _amount(m)) for b, s, c, fl, n, m in rows]


async def _tops(uow: UnitOfWork, bounds: list[datetime], offer_id: int | None, rolled: datetime | None,
                partner_clicks: dict[int, int], top: int) -> tuple[list[TopRow], list[TopRow]]:
    """The top partners and offers: most conversions (pending + approved), then most clicks, then lowest id."""
    rows = await uow.session.execute(
        select(Conversion.partner_id, Conversion.offer_id, Conversion.currency, func.count(),
               func.sum(Conversion.commission))
        .where(*_conversion_filter(bounds, offer_id), Conversion.status.in_(EARNING))
        .group_by(Conversion.partner_id, Conversion.offer_id, Conversion.currency))
    partners: dict[int, list[Any]] = defaultdict(lambda: [0, {}])
    offers: dict[int, list[Any]] = defaultdict(lambda: [0, {}])
    for partner, offer, currency, count, commission in rows:
        for entry in (partners[partner], offers[offer]):
            entry[0] += count
            entry[1][currency] = entry[1].get(currency, Decimal(0)) + _amount(commission)
    offer_cells = await _click_cells(uow, [bounds[0], bounds[-1]], offer_id, rolled, by_offer=True)
    offer_clicks = {offer: clicks for (_, offer), (clicks, _) in offer_cells.items()}

    def ranked(clicks: dict[int, int], money: dict[int, list[Any]]) -> list[tuple[int, int, int, dict]]:
        ids = set(clicks) | set(money)
        order = sorted(ids, key=lambda i: (-money[i][0] if i in money else 0, -clicks.get(i, 0), i))[:top]
        return [(i, clicks.get(i, 0), money[i][0] if i in money else 0,
                 dict(sorted(money[i][1].items())) if i in money else {}) for i in order]

    best_partners = ranked(partner_clicks, partners)
    best_offers = ranked(offer_clicks, offers)
    names = dict((await uow.session.execute(select(Partner.id, Partner.name).where(
        Partner.id.in_([i for i, *_ in best_partners])))).all()) if best_partners else {}
    titles = dict((await uow.session.execute(select(Offer.id, Offer.name).where(
        Offer.id.in_([i for i, *_ in best_offers])))).all()) if best_offers else {}
    return ([TopRow(i, names.get(i) or f"#{i}", c, n, m) for i, c, n, m in best_partners],
            [TopRow(i, titles.get(i) or f"#{i}", c, n, m) for i, c, n, m in best_offers])


async def _people(uow: UnitOfWork, f: Figures, start: datetime, end: datetime) -> None:
    f.new_partners = await uow.session.scalar(
        select(func.count(func.distinct(Application.partner_id)))
        .where(Application.created_at >= start, Application.created_at < end)) or 0
    f.approved_partners = await uow.session.scalar(
        select(func.count()).select_from(Partner).where(Partner.approved_at >= start, Partner.approved_at < end)) or 0
    rows = await uow.session.execute(
        select(Application.decision, func.count())
        .where(Application.decided_at >= start, Application.decided_at < end,
               Application.decision.in_(("approved", "rejected")))
        .group_by(Application.decision))
    for decision, count in rows:
        f.decisions += count
        f.approved_decisions += count if decision == "approved" else 0


async def _payouts(uow: UnitOfWork, f: Figures, start: datetime, end: datetime) -> None:
    rows = await uow.session.execute(
        select(Payout.currency, func.sum(Payout.amount))
        .join(PayoutEvent, PayoutEvent.payout_id == Payout.id)
        .where(PayoutEvent.action == "pay", PayoutEvent.created_at >= start, PayoutEvent.created_at < end)
        .group_by(Payout.currency))
    f.paid = {cur: _amount(total) for cur, total in sorted(rows)}
    # Open at the end of the period: asked for before it, neither paid nor rejected before it.
    closed = exists().where(PayoutEvent.payout_id == Payout.id, PayoutEvent.action.in_(("pay", "reject")),
                            PayoutEvent.created_at < end)
    rows = await uow.session.execute(
        select(Payout.currency, func.sum(Payout.amount)).where(Payout.created_at < end, ~closed)
        .group_by(Payout.currency))
    f.payouts_pending = {cur: _amount(total) for cur, total in sorted(rows)}


async def _support(uow: UnitOfWork, f: Figures, start: datetime, end: datetime) -> None:
    rows = (await uow.session.execute(
        select(Ticket.created_at, Ticket.first_response_at)
        .where(Ticket.created_at >= start, Ticket.created_at < end))).all()
    f.tickets = len(rows)
    f.response_seconds = [int((answered - opened).total_seconds()) for opened, answered in rows if answered]
    count, total = (await uow.session.execute(
        select(func.count(Ticket.csat), func.sum(Ticket.csat))
        .where(Ticket.csat_at >= start, Ticket.csat_at < end, Ticket.csat.is_not(None)))).one()
    f.csat_count, f.csat_sum = int(count or 0), int(total or 0)

