"""Link alerts: a partner is told, once, when a link changes sharply against its own past week.

Evaluated on closed hours (the rollup's watermark `t`) over a window of the last N hours, [t − N h, t):

  no_conversions  clicks keep coming (not a drop, below) but none of the window's clicks converted, while the
                  link's conversion rate over the 7 days before the window predicts at least
                  `min_conversions` of them — a broken landing page or postback;
  clicks_drop     the window has more than X % fewer clicks than the same N hours of the day averaged over the
                  7 days before (so a quiet night is compared with other nights), and that average is at least
                  `min_clicks` — a removed post, a paused placement.

Each (link, kind) has a row in stats_link_alerts: the message goes out when the condition turns on, nothing while
it stays on, and it may go out again only after it turned off. The message is an outbox row of the muteable kind
"alerts", written in the transaction that switches the state, so a crash can neither lose nor double it.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import and_, case, func, or_, select

from services.db.models import Partner
from services.db.stats_models import ClickHour, LinkAlert
from services.db.tracking_models import Conversion, Offer, TrackingLink
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps
from services.kernel.dto import Button, Screen
from services.messaging import notify
from services.stats.rollups import HOUR, floor_hour, roll_up, rolled_until

log = logging.getLogger(__name__)

NO_CONVERSIONS, CLICKS_DROP = "no_conversions", "clicks_drop"
KIND = "alerts"  # outbox kind, muteable in Settings → Notifications
BASELINE_DAYS = 7
STALE = timedelta(hours=3)  # a watermark older than this (rollup behind) is not judged: the news would be old


@dataclass(frozen=True)
class Rules:
    hours: int = 6  # N: the window
    drop_percent: int = 70  # X
    min_clicks: int = 30  # usual clicks in the window before a drop counts
    min_conversions: int = 3  # conversions the baseline predicts for the window before silence counts

    @classmethod
    def of(cls, deps: Deps) -> Rules:
        config = deps.config
        return cls(config.stats_alert_hours, config.stats_alert_drop_percent, config.stats_alert_min_clicks,
                   config.stats_alert_min_conversions)


@dataclass
class LinkWeek:
    link_id: int
    recent_clicks: int = 0  # in the window
    usual_clicks: Decimal = Decimal(0)  # the window's hours of the day, averaged over the baseline days
    base_clicks: int = 0  # the 7 days before the window
    recent_conversions: int = 0
    base_conversions: int = 0

    def expected_conversions(self) -> Decimal:
        if not self.base_clicks:
            return Decimal(0)
        return Decimal(self.base_conversions) * self.recent_clicks / self.base_clicks

    def dropped(self, rules: Rules) -> bool:
        return (self.usual_clicks >= rules.min_clicks
                and self.recent_clicks < self.usual_clicks * (100 - rules.drop_percent) / 100)

    def silent(self, rules: Rules) -> bool:
        return (self.recent_clicks > 0 and self.recent_conversions == 0 and not self.dropped(rules)
                and self.expected_conversions() >= rules.min_conversions)


async def week_by_link(uow: UnitOfWork, until: datetime, rules: Rules) -> dict[int, LinkWeek]:
    """Clicks (from the rollup) and conversions (every status) per link around the window ending at `until`."""
    window = until - rules.hours * HOUR
    first = window - timedelta(days=BASELINE_DAYS)
    same_hours = or_(*(and_(ClickHour.hour >= window - timedelta(days=d), ClickHour.hour < until - timedelta(days=d))
                       for d in range(1, BASELINE_DAYS + 1)))
    weeks: dict[int, LinkWeek] = {}
    clicks = await uow.session.execute(
        select(ClickHour.key,
               func.sum(case((ClickHour.hour >= window, ClickHour.clicks), else_=0)),
               func.sum(case((same_hours, ClickHour.clicks), else_=0)),
               func.sum(case((ClickHour.hour < window, ClickHour.clicks), else_=0)))
        .where(ClickHour.partner_id.in_(select(Partner.id)), ClickHour.dim == "link", ClickHour.hour >= first,
               ClickHour.hour < until)  # partner by partner through the primary key
        .group_by(ClickHour.key))
    for key, recent, same, base in clicks:
        link_id = int(key)
        weeks[link_id] = LinkWeek(link_id, int(recent or 0), Decimal(int(same or 0)) / BASELINE_DAYS, int(base or 0))
    conversions = await uow.session.execute(
        select(Conversion.link_id, func.sum(case((Conversion.created_at >= window, 1), else_=0)),
               func.sum(case((Conversion.created_at < window, 1), else_=0)))
        # partner by partner through the (partner_id, created_at) indexes, as in services.stats.rollups
        .where(Conversion.partner_id.in_(select(Partner.id)), Conversion.created_at >= first,
               Conversion.created_at < until, Conversion.link_id.is_not(None))
        .group_by(Conversion.link_id))
    for link_id, recent, base in conversions:
        if link_id in weeks:
            weeks[link_id].recent_conversions, weeks[link_id].base_conversions = int(recent or 0), int(base or 0)
    return weeks


def _whole(value: Decimal) -> str:
    return str(value.quantize(Decimal(1), ROUND_HALF_UP))


async def check_alerts(deps: Deps, rules: Rules | None = None) -> int:
    """Folds the closed hours first, then judges every active link at the watermark. Returns alerts sent."""
    rules = rules or Rules.of(deps)
    await roll_up(deps, delay=timedelta(minutes=deps.config.stats_rollup_delay_minutes))
    sent = 0
    async with deps.uow() as uow:
        until = await rolled_until(uow, lock=True)  # PostgreSQL: one judge at a time
        now = deps.clock.now()
        if until is None or until < floor_hour(now) - STALE:
            return 0
        weeks = await week_by_link(uow, until, rules)
        if not weeks:
            return 0
        links = (await uow.session.execute(
            select(TrackingLink, Offer.name, Partner)
            .join(Offer, Offer.id == TrackingLink.offer_id).join(Partner, Partner.id == TrackingLink.partner_id)
            .where(TrackingLink.id.in_(list(weeks)), TrackingLink.archived_at.is_(None), Offer.status == "active",
                   Partner.status == "approved"))).all()
        states = {(a.link_id, a.kind): a for a in (await uow.session.scalars(
            select(LinkAlert).where(LinkAlert.link_id.in_(list(weeks))))).all()}
        for link, offer_name, partner in links:
            week = weeks[link.id]
            for kind, on in ((NO_CONVERSIONS, week.silent(rules)), (CLICKS_DROP, week.dropped(rules))):
                state = states.get((link.id, kind))
                if state is None:
                    if not on:
                        continue
                    state = LinkAlert(link_id=link.id, kind=kind, active=False, since=until, checked_until=until)
                    uow.session.add(state)
                state.checked_until = until
                if on == state.active:
                    continue
                state.active, state.since = on, until
                if on:
                    sent += await notify.to_partner(uow, deps, partner, _screen(kind, link, offer_name, week, rules),
                                                    kind=KIND, dedupe_key=f"alert:{kind}:{link.id}:{until:%Y%m%d%H}")
        await uow.commit()
    if sent:
        log.info("link alerts: %d message(s)", sent)
        deps.wake_outbox()
    return sent


def _screen(kind: str, link: TrackingLink, offer: str, week: LinkWeek, rules: Rules) -> Screen:
    args: dict[str, object] = {"link": link.name or link.code, "offer": offer, "clicks": week.recent_clicks,
                               "hours": rules.hours}
    if kind == NO_CONVERSIONS:
        args["expected"] = _whole(week.expected_conversions())
        key = "stats-alert-no-conversions"
    else:
        args["expected"] = _whole(week.usual_clicks)
        args["drop"] = _whole(100 - Decimal(week.recent_clicks) * 100 / week.usual_clicks)
        key = "stats-alert-clicks-drop"
    return Screen(key, args, buttons=((Button("stats-btn-open", "st:v:7d:link"),),))
