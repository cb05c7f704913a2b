"""Hourly click rollups: a scheduler job folds each closed UTC hour of clicks into stats_click_hours, counted
per partner along each dimension (all, link, offer, sub1..sub5) separately.

Why a job and not a counter on ingest: the click write path stays exactly as it is (one insert per batch). The
job is idempotent: each run takes the hours between the watermark (stats_rollup_state.rolled_until) and the last
hour that closed at least `delay` ago, replaces their rollup rows and moves the watermark — all in one
transaction, so a crash or `kill -9` leaves either the old or the new state, never half of one. Readers take
hours before the watermark from the rollup and every click at or after it from `clicks`, which makes the
figures exact at any moment, also before the first run.

`delay` covers clicks that commit a moment after their timestamp (the redirect stamps a click, then its batch
commits — within a second or two): an hour is folded only once no click of it can still be in flight.

The hour's clicks are found partner by partner through ix_clicks_partner_created, so a run reads only the new
hours' clicks and needs no index on clicks.created_at — nothing is added to click writes.
"""
from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import String, case, cast, delete, func, literal_column, select, union_all
from sqlalchemy.dialects import postgresql, sqlite

from services.db.models import Partner
from services.db.stats_models import ClickHour, RollupState
from services.db.tracking_models import Click
from services.db.uow import UnitOfWork
from services.kernel.deps import Deps

log = logging.getLogger(__name__)

CLICKS = "clicks"  # stats_rollup_state.name of the click rollup
HOUR = timedelta(hours=1)
DEFAULT_DELAY = timedelta(minutes=5)
DEFAULT_CHUNK = timedelta(hours=24)


def floor_hour(at: datetime) -> datetime:
    return at.replace(minute=0, second=0, microsecond=0)


def ceil_hour(at: datetime) -> datetime:
    floor = floor_hour(at)
    return floor if floor == at else floor + HOUR


async def rolled_until(uow: UnitOfWork, *, lock: bool = False) -> datetime | None:
    """The watermark: hours before it are in stats_click_hours; None = nothing rolled yet."""
    stmt = select(RollupState.rolled_until).where(RollupState.name == CLICKS)
    if lock:
        stmt = stmt.with_for_update()
    return await uow.session.scalar(stmt)


def _hour_of(column: object, dialect: str) -> object:
    """SQL truncating a click timestamp to its hour, stored in the same form as UTCDateTime writes it."""
    # Literal SQL rather than bound parameters: GROUP BY must repeat the very same expression (PostgreSQL).
    if dialect == "sqlite":  # "YYYY-MM-DD HH:MM:SS.ffffff": SQLAlchemy's SQLite DATETIME text
        return func.substr(column, 1, 13).op("||")(literal_column("':00:00.000000'"))
    return func.date_trunc(literal_column("'hour'"), column)


async def _first_click(uow: UnitOfWork) -> datetime | None:
    # Per partner through ix_clicks_partner_created: min() over an index prefix is one seek each.
    first = (select(func.min(Click.created_at)).where(Click.partner_id == Partner.id)
             .correlate(Partner).scalar_subquery())
    value = await uow.session.scalar(select(func.min(first)).select_from(Partner))
    if isinstance(value, str):  # in case a driver hands the aggregate back untyped
        value = datetime.fromisoformat(value).replace(tzinfo=UTC)
    return value


async def _ensure_state(uow: UnitOfWork, now: datetime) -> None:
    dialect = uow.session.bind.dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    await uow.session.execute(module.insert(RollupState).values(name=CLICKS, rolled_until=None, updated_at=now)
                              .on_conflict_do_nothing(index_elements=["name"]))


DIMENSIONS = ("all", "link", "offer", "sub1", "sub2", "sub3", "sub4", "sub5")


async def roll_hours(uow: UnitOfWork, start: datetime, stop: datetime) -> None:
    """Replaces the rollup rows of hours [start, stop) with what `clicks` holds for them (caller commits).

    One statement: the hours' clicks are read once into a CTE at the finest grain (partner, hour, link, offer,
    sub-ids) — referenced once per dimension, so both databases materialise it — and each dimension is summed
    from there."""
    dialect = uow.session.bind.dialect.name
    hour = _hour_of(Click.created_at, dialect).label("hour")
    subs = [func.coalesce(getattr(Click, f"sub{n}"), "").label(f"sub{n}") for n in range(1, 6)]
    fine = (
        select(Click.partner_id, hour, cast(Click.link_id, String).label("link"),
               cast(Click.offer_id, String).label("offer"), *subs, func.count().label("clicks"),
               func.sum(case((Click.is_unique, 1), else_=0)).label("unique_clicks"))
        # partner_id IN (all partners): one index range per partner. Written as a join, SQLite without planner
        # statistics prefers walking the whole index in partner order to save the GROUP BY a sort.
        .where(Click.partner_id.in_(select(Partner.id)), Click.created_at >= start, Click.created_at < stop)
        .group_by(Click.partner_id, hour, Click.link_id, Click.offer_id, *subs)
    ).cte("fine")
    parts = []
    for dim in DIMENSIONS:
        key = literal_column("''") if dim == "all" else fine.c[dim]
        grouped = [fine.c.partner_id, fine.c.hour] + ([key] if dim != "all" else [])  # no constant in GROUP BY
        parts.append(select(fine.c.partner_id, literal_column(f"'{dim}'"), fine.c.hour, key,
                            func.sum(fine.c.clicks), func.sum(fine.c.unique_clicks)).group_by(*grouped))
    # Through the primary key, partner by partner and dimension by dimension (there is no index on hour).
    await uow.session.execute(delete(ClickHour).where(
        ClickHour.partner_id.in_(select(Partner.id)), ClickHour.dim.in_(DIMENSIONS), ClickHour.hour >= start,
        ClickHour.hour < stop))
    await uow.session.execute(ClickHour.__table__.insert().from_select(
        ["partner_id", "dim", "hour", "key", "clicks", "unique_clicks"], union_all(*parts)))


async def roll_up(deps: Deps, *, delay: timedelta = DEFAULT_DELAY, chunk: timedelta = DEFAULT_CHUNK,
                  max_chunks: int | None = None) -> int:
    """Folds every hour that closed at least `delay` ago into the rollup, `chunk` hours per transaction (a
    short write lock at a time). Returns the number of hours rolled. Safe to run anywhere, any number of times."""
    rolled = 0
    chunks = 0
    while max_chunks is None or chunks < max_chunks:
        async with deps.uow() as uow:
            now = deps.clock.now()
            target = floor_hour(now - delay)
            await _ensure_state(uow, now)
            start = await rolled_until(uow, lock=True)  # PostgreSQL: one runner at a time
            if start is None:
                first = await _first_click(uow)
                start = floor_hour(first) if first is not None else target
            if start >= target:  # caught up (never moved back: those hours are in the rollup already)
                await uow.commit()
                break
            stop = min(start + chunk, target)
            await roll_hours(uow, start, stop)
            await _set_watermark(uow, stop, now)
            await uow.commit()
        rolled += int((stop - start) / HOUR)
        chunks += 1
    if rolled:
        log.info("click rollup: %d hour(s) folded", rolled)
    return rolled


async def _set_watermark(uow: UnitOfWork, until: datetime, now: datetime) -> None:
    state = await uow.session.get(RollupState, CLICKS)
    assert state is not None
    state.rolled_until, state.updated_at = until, now
    await uow.session.flush()
