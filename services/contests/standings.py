"""Standings of a contest: every participant's figure and place, computed from the same facts stats shows.

Fair by construction:
  - only conversions *made* inside the period count ([starts_at, ends_at), their created_at), approved and
    payable, never rejected, refunded or still under review (flagged and not cleared);
  - a late postback for such a conversion counts while its last change is no later than `cutoff` (the settle
    moment, end + CONTEST_SETTLE_HOURS); after that the standings are frozen into contest_results;
  - unique clicks come from the hourly rollup for whole hours before its watermark and from `clicks` for the
    rest (exact at any moment, like services/stats); sub-partners are invitees approved inside the period;
  - ties go to whoever reached the figure first: the moment of the last fact that counted (their last counted
    conversion, click hour or sub-partner approval), then the lower partner id.
Automatic contests rank every approved partner with a figure above zero; opt-in ones everyone who joined.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, or_, select

from services.db.contest_models import Contest, ContestEntry, ContestResult
from services.db.models import Partner
from services.db.stats_models import ClickHour
from services.db.tracking_models import Click, Conversion
from services.db.uow import UnitOfWork
from services.stats.rollups import ceil_hour, floor_hour, rolled_until

PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Standing:
    place: int
    partner_id: int
    value: Decimal
    reached_at: datetime


def _merge(found: dict[int, tuple[Decimal, datetime]], rows: Any) -> None:
    for partner_id, value, reached in rows:
        if partner_id is None or value is None:
            continue
        # SQLite sums NUMERIC as floating point; figures have at most 4 places, so rounding back is exact.
        amount = Decimal(str(value)).quantize(PLACES)
        old = found.get(partner_id)
        found[partner_id] = (amount + old[0], max(reached, old[1])) if old else (amount, reached)


def _approved() -> Any:
    """Partners who may rank: approved ones (a blocked partner's figures never reach a leaderboard)."""
    return select(Partner.id).where(Partner.status == "approved").scalar_subquery()


def _conversion_filter(contest: Contest, cutoff: datetime) -> list[Any]:
    # Led by ix_conversions_contest: approved conversions of the period only, however long the history.
    where = [Conversion.partner_id.in_(_approved()), Conversion.created_at >= contest.starts_at,
             Conversion.created_at < contest.ends_at, Conversion.status == "approved", Conversion.payable.is_(True),
             or_(Conversion.review.is_(None), Conversion.review == "cleared"), Conversion.updated_at <= cutoff]
    if contest.offer_ids:
        where.append(Conversion.offer_id.in_(contest.offer_ids))
    return where


async def _conversions(uow: UnitOfWork, contest: Contest, cutoff: datetime, found: dict) -> None:
    where = _conversion_filter(contest, cutoff)
    if contest.metric == "revenue":
        figure = func.sum(Conversion.sale_amount)
        where += [Conversion.currency == contest.currency, Conversion.sale_amount.is_not(None)]
    else:
        figure = func.count()
    _merge(found, (await uow.session.execute(
        select(Conversion.partner_id, figure, func.max(Conversion.created_at)).where(*where)
        .group_by(Conversion.partner_id))).all())


async def _clicks(uow: UnitOfWork, contest: Contest, found: dict) -> None:
    start, end = contest.starts_at, contest.ends_at
    rolled = await rolled_until(uow)
    lo, hi = ceil_hour(start), floor_hour(end)
    if rolled is not None:
        hi = min(hi, rolled)
    raw = [(start, end)]
    if rolled is not None and hi > lo:
        dim = "offer" if contest.offer_ids else "all"
        keys = [str(o) for o in contest.offer_ids] if contest.offer_ids else [""]
        _merge(found, (await uow.session.execute(
            select(ClickHour.partner_id, func.sum(ClickHour.unique_clicks), func.max(ClickHour.hour))
            .where(ClickHour.dim == dim, ClickHour.key.in_(keys), ClickHour.hour >= lo, ClickHour.hour < hi,
                   ClickHour.partner_id.in_(_approved()))
            .group_by(ClickHour.partner_id))).all())
        raw = [(a, b) for a, b in ((start, lo), (hi, end)) if b > a]
    for a, b in raw:
        where = [Click.is_unique.is_(True), Click.created_at >= a, Click.created_at < b,
                 Click.partner_id.in_(_approved())]
        if contest.offer_ids:
            where.append(Click.offer_id.in_(contest.offer_ids))
        _merge(found, (await uow.session.execute(
            select(Click.partner_id, func.count(), func.max(Click.created_at)).where(*where)
            .group_by(Click.partner_id))).all())


async def _subpartners(uow: UnitOfWork, contest: Contest, cutoff: datetime, found: dict) -> None:
    _merge(found, (await uow.session.execute(
        select(Partner.parent_id, func.count(), func.max(Partner.approved_at))
        .where(Partner.parent_id.in_(_approved()), Partner.status == "approved",
               Partner.approved_at >= contest.starts_at, Partner.approved_at < contest.ends_at,
               Partner.approved_at <= cutoff)
        .group_by(Partner.parent_id))).all())


async def compute(uow: UnitOfWork, contest: Contest, cutoff: datetime) -> list[Standing]:
    """Live standings as of `cutoff` (now while the contest runs; the settle moment when freezing them)."""
    found: dict[int, tuple[Decimal, datetime]] = {}
    if contest.metric in ("conversions", "revenue"):
        await _conversions(uow, contest, cutoff, found)
    elif contest.metric == "clicks":
        await _clicks(uow, contest, found)
    elif contest.metric == "subpartners":
        await _subpartners(uow, contest, cutoff, found)
    if contest.opt_in:
        entries = dict((await uow.session.execute(
            select(ContestEntry.partner_id, ContestEntry.joined_at).where(ContestEntry.contest_id == contest.id)
            .where(ContestEntry.partner_id.in_(_approved())))).all())
        rows = {pid: found.get(pid, (Decimal(0).quantize(PLACES), joined)) for pid, joined in entries.items()}
    else:  # every query above kept to approved partners already
        rows = {pid: figure for pid, figure in found.items() if figure[0] > 0}
    ranked = sorted(rows.items(), key=lambda item: (-item[1][0], item[1][1], item[0]))
    return [Standing(place, pid, value, reached) for place, (pid, (value, reached)) in enumerate(ranked, 1)]


async def frozen(uow: UnitOfWork, contest_id: int) -> list[Standing]:
    """The standings stored at settle time."""
    rows = (await uow.session.scalars(select(ContestResult).where(ContestResult.contest_id == contest_id)
                                      .order_by(ContestResult.place))).all()
    return [Standing(r.place, r.partner_id, Decimal(r.value).quantize(PLACES), r.reached_at) for r in rows]
