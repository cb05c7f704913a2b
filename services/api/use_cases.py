"""What each REST endpoint answers, as plain use cases: validated parameters in, a response model out. The
figures come from the areas' own queries (stats, tracking, payouts, partners); nothing here repeats their SQL."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from services.api import cursor
from services.api.errors import ApiError
from services.api import models as m
from services.db.tracking_models import Conversion
from services.kernel.deps import Deps
from services.partners import queries as partners
from services.payouts import queries as payouts
from services.kpi.queries import program_kpis
from services.stats.periods import MAX_DAYS, Period, between
from services.stats.queries import Figures, partner_stats
from services.tracking import conversion_queries as conversions
from services.tracking import history

STATS_PARTNERS_PER_PAGE = 50  # partners whose figures one stats page may compute, however sparse their rows


def _filters(query: m.Query) -> dict[str, Any]:
    return query.model_dump(mode="json", by_alias=True)


def _period(start: datetime | None, end: datetime | None) -> None:
    if start is not None and end is not None and end <= start:
        raise ApiError(400, "bad_filter", "`to` must be after `from`")


def conversion_out(record: conversions.ConversionRecord) -> m.ConversionOut:
    c: Conversion = record.conversion
    # model_construct: the values come from our own rows (validating each of thousands per page doubled the
    # time of a page); tests/api/test_openapi.py checks real responses against the schema.
    return m.ConversionOut.model_construct(
        id=c.id, partner_id=c.partner_id, offer_id=c.offer_id, link_id=c.link_id, goal=c.goal, txid=c.txid,
        promo_code=c.promo_code, status=c.status, commission=m.money(c.commission, c.currency),  # type: ignore[arg-type]
        sale_amount=m.money(c.sale_amount, c.currency) if c.sale_amount is not None else None, payable=c.payable,
        not_payable_reason=c.not_payable_reason, flags=[f for f in (c.flags or "").split(",") if f],
        review=c.review, sub1=c.sub1, created_at=c.created_at, updated_at=c.updated_at,
        history=[m.StatusChange.model_construct(from_status=e.from_status, to_status=e.to_status, source=e.source,
                                                at=e.created_at) for e in record.history])


async def list_conversions(deps: Deps, query: m.ConversionsQuery, path: m.NoQuery) -> m.ConversionsPage:
    _period(query.from_, query.to)
    filters = _filters(query)
    position = cursor.decode_row(query.cursor, filters)
    where = conversions.ConversionFilter(query.from_, query.to, query.partner_id, query.offer_id, query.link_id,
                                         query.status)
    async with deps.uow(readonly=True) as uow:
        rows = await conversions.conversions_page(uow, where, position, query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    last = rows[-1].conversion if rows else None
    return m.ConversionsPage(data=[conversion_out(r) for r in rows], next_cursor=cursor.encode_row(
        last.created_at, last.id, filters) if more and last else None)


async def get_conversion(deps: Deps, query: m.NoQuery, path: m.ConversionPath) -> m.ConversionOut:
    async with deps.uow(readonly=True) as uow:
        record = await conversions.conversion(uow, path.conversion_id)
    if record is None:
        raise ApiError(404, "not_found", f"no conversion {path.conversion_id}")
    return conversion_out(record)


async def list_events(deps: Deps, query: m.EventsQuery, path: m.NoQuery) -> m.ConversionEventsPage:
    _period(query.from_, query.to)
    filters = _filters(query)
    position = cursor.decode_row(query.cursor, filters)
    async with deps.uow(readonly=True) as uow:
        rows = await history.events_page(uow, start=query.from_, end=query.to, conversion_ids=query.conversion_id,
                                         partner_ids=query.partner_id, position=position, limit=query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    data = [m.ConversionEventOut(id=e.id, conversion_id=e.conversion_id, partner_id=partner_id,
                                 from_status=e.from_status, to_status=e.to_status, source=e.source, at=e.created_at)
            for e, partner_id in rows]
    last = rows[-1][0] if rows else None
    return m.ConversionEventsPage(data=data, next_cursor=cursor.encode_row(last.created_at, last.id, filters)
                                  if more and last else None)


async def list_payouts(deps: Deps, query: m.PayoutsQuery, path: m.NoQuery) -> m.PayoutsPage:
    _period(query.from_, query.to)
    filters = _filters(query)
    position = cursor.decode_row(query.cursor, filters)
    async with deps.uow(readonly=True) as uow:
        rows = await payouts.payouts_page(uow, start=query.from_, end=query.to, partner_ids=query.partner_id,
                                          statuses=query.status, position=position, limit=query.limit + 1)
    more = len(rows) > query.limit
    rows = rows[:query.limit]
    data = [m.PayoutOut(id=p.id, partner_id=p.partner_id, amount=m.money(p.amount, p.currency),
                        status=p.status, method=p.method, source=p.source, period=p.period,  # type: ignore[arg-type]
                        created_at=p.created_at, updated_at=p.updated_at) for p in rows]
    return m.PayoutsPage(data=data, next_cursor=cursor.encode_row(rows[-1].created_at, rows[-1].id, filters)
                         if more else None)


async def _partner_rows(uow: Any, rows: list[Any]) -> list[m.PartnerOut]:
    kinds = await partners.messengers_of(uow, (p.id for p in rows))
    return [m.PartnerOut(id=p.id, status=p.status, tier=p.tier, parent_id=p.parent_id, locale=p.locale,
                         timezone=p.timezone, messengers=kinds.get(p.id, []), created_at=p.created_at,
                         approved_at=p.approved_at) for p in rows]


async def list_partners(deps: Deps, query: m.PartnersQuery, path: m.NoQuery) -> m.PartnersPage:
    _period(query.from_, query.to)
    filters = _filters(query)
    position = cursor.decode_row(query.cursor, filters)
    async with deps.uow(readonly=True) as uow:
        rows = await partners.partners_page(uow, start=query.from_, end=query.to, ids=query.id,
                                            statuses=query.status, position=position, limit=query.limit + 1)
        more = len(rows) > query.limit
        rows = rows[:query.limit]
        data = await _partner_rows(uow, rows)
    return m.PartnersPage(data=data, next_cursor=cursor.encode_row(rows[-1].created_at, rows[-1].id, filters)
                          if more else None)


async def get_partner(deps: Deps, query: m.NoQuery, path: m.PartnerPath) -> m.PartnerOut:
    async with deps.uow(readonly=True) as uow:
        partner = await uow.partners.get(path.partner_id)
        found = await _partner_rows(uow, [partner]) if partner is not None else []
    if not found:
        raise ApiError(404, "not_found", f"no partner {path.partner_id}")
    return found[0]


def _stats_row(partner_id: int, key: str, label: str, f: Figures) -> m.StatsRowOut:
    return m.StatsRowOut(partner_id=partner_id, key=key, label=label, clicks=f.clicks, unique_clicks=f.unique_clicks,
                         conversions=dict(f.conversions), cr=str(f.cr), epc=m.moneys(f.epc),
                         earnings=m.moneys(f.earnings), l2_earnings=m.moneys(f.l2_earnings))


def _empty(f: Figures) -> bool:
    return not (f.clicks or any(f.conversions.values()) or f.earnings or f.l2_earnings)


async def stats(deps: Deps, query: m.StatsQuery, path: m.NoQuery) -> m.StatsPage:
    """Rows in (partner_id, key) order; rows without any activity are left out. The cursor is the last row's
    (partner, key), so a page boundary never repeats or skips a row however the figures change in between."""
    today = deps.clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = query.from_ or today - timedelta(days=6)
    end = query.to or today + timedelta(days=1)
    _period(start, end)
    if end - start > timedelta(days=MAX_DAYS):
        raise ApiError(400, "bad_filter", f"the period is longer than {MAX_DAYS} days")
    period = Period(start, end, "UTC")
    filters = {**_filters(query), "from": start.isoformat(), "to": end.isoformat()}
    position = cursor.decode(query.cursor, filters)
    try:
        after_partner, after_key = (int(position[0]), position[1]) if position is not None else (None, None)
        if after_key is not None and not isinstance(after_key, str):
            raise ValueError
    except (TypeError, ValueError, IndexError):
        raise ApiError(400, "bad_cursor", "the cursor is not one this API gave out") from None
    group = "offer" if query.group_by == "partner" else query.group_by  # "partner": the totals of any grouping
    data: list[m.StatsRowOut] = []
    next_position: list[Any] | None = None
    async with deps.uow(readonly=True) as uow:
        # A cursor inside a partner's rows resumes that partner: start the scan one id before it.
        resume = after_partner - 1 if after_partner is not None and after_key is not None else after_partner
        ids = await partners.partner_ids_after(uow, resume, query.partner_id, STATS_PARTNERS_PER_PAGE + 1)
        for scanned, partner_id in enumerate(ids):
            if scanned == STATS_PARTNERS_PER_PAGE:  # this partner exists: the next page starts after the last one
                next_position = [ids[scanned - 1], None]
                break
            report = await partner_stats(uow, partner_id, period, group)
            if query.group_by == "partner":
                rows = [(str(partner_id), str(partner_id), report.totals)]
            else:
                rows = sorted((r.key, r.label, r.figures) for r in report.rows)
            for key, label, figures in rows:
                if partner_id == after_partner and after_key is not None and key <= after_key:
                    continue
                if _empty(figures):
                    continue
                if len(data) == query.limit:
                    next_position = [data[-1].partner_id, data[-1].key]  # a row is left: resume after the last
                    break
                data.append(_stats_row(partner_id, key, label, figures))
            if next_position is not None:
                break
    return m.StatsPage(period=m.Period(from_=start, to=end), group_by=query.group_by, data=data,
                       next_cursor=cursor.encode(next_position, filters) if next_position is not None else None)


def _kpi_value(value: Any, kind: str) -> m.KpiValue:
    if value is None:
        return None
    if kind == "money":
        return m.moneys(value)
    return value if isinstance(value, int) else str(value)


def _span(period: Period) -> m.Period:
    return m.Period(from_=period.start, to=period.end)


async def kpis(deps: Deps, query: m.KpisQuery, path: m.NoQuery) -> m.KpisOut:
    """The program's KPIs over whole UTC days, each against the previous period of equal length: the same use
    case as /kpi in the chat and the staff web page (services/kpi)."""
    today = deps.clock.now().astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = query.from_ or today - timedelta(days=29)
    end = query.to or today + timedelta(days=1)
    _period(start, end)
    if any((t.hour, t.minute, t.second, t.microsecond) != (0, 0, 0, 0) for t in (start, end)):
        raise ApiError(400, "bad_filter", "KPIs are per whole UTC day: give dates (or midnights UTC)")
    if end - start > timedelta(days=MAX_DAYS):
        raise ApiError(400, "bad_filter", f"the period is longer than {MAX_DAYS} days")
    period = between(start.date(), (end - timedelta(days=1)).date(), "UTC")
    async with deps.uow(readonly=True) as uow:
        report = await program_kpis(uow, period, query.offer_id)
    metrics = [m.KpiMetricOut(
        name=x.name, kind=x.kind, value=_kpi_value(x.value, x.kind),  # type: ignore[arg-type]
        previous=_kpi_value(x.previous, x.kind),
        change_percent=None if x.kind == "money" or x.change is None else str(x.change),
        change_by_currency={cur: None if c is None else str(c) for cur, c in sorted(x.change.items())}
        if x.kind == "money" and x.change is not None else None) for x in report.metrics]

    def top(rows: Any, labelled: bool) -> list[m.KpiTopOut]:
        return [m.KpiTopOut(id=r.id, label=r.label if labelled else None, clicks=r.clicks,
                            conversions=r.conversions, commissions=m.moneys(r.commissions)) for r in rows]

    return m.KpisOut(period=_span(report.period), previous_period=_span(report.previous_period),
                     offer_id=report.offer_id, metrics=metrics, top_partners=top(report.top_partners, False),
                     top_offers=top(report.top_offers, True),
                     daily=[m.KpiDayOut(day=d.day, clicks=d.clicks, conversions=d.conversions,
                                        active_partners=d.active_partners, commissions=m.moneys(d.commissions))
                            for d in report.daily])
