"""What counts toward a milestone, as SQL: a partner's monthly figure under one rule.

Counted: the partner's own (first-level) conversions that happened in the calendar month (program time zone),
approved, payable, and not waiting on a fraud review (flagged ones count once a manager clears them); for an offer
rule only that offer's. `conversions` counts them; `revenue` sums their sale amounts in the rule's currency
(conversions without a sale amount add nothing). Rejected and refunded conversions are not approved, so a refund
lowers the figure — which is what claws a step back.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select

from services.db.bonus_models import BonusRule
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWork
from services.kernel.enums import ConversionStatus

CONVERSIONS, REVENUE = "conversions", "revenue"
METRICS = (CONVERSIONS, REVENUE)


def period_of(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local.year:04d}-{local.month:02d}"


def previous_period(period: str) -> str:
    year, month = map(int, period.split("-"))
    return f"{year - 1:04d}-12" if month == 1 else f"{year:04d}-{month - 1:02d}"


def bounds(period: str, zone: str) -> tuple[datetime, datetime]:
    """[start, end) of a calendar month in the program's zone, in UTC."""
    year, month = map(int, period.split("-"))
    tz = ZoneInfo(zone)
    start = datetime.combine(date(year, month, 1), time(0), tz)
    end = datetime.combine(date(year + month // 12, month % 12 + 1, 1), time(0), tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


async def figures(uow: UnitOfWork, rule: BonusRule, period: str, zone: str,
                  partner_ids: Iterable[int] | None = None) -> dict[int, Decimal]:
    """partner id → figure under `rule` in `period`, for partners with anything that counts."""
    start, end = bounds(period, zone)
    measure = func.count(Conversion.id) if rule.metric == CONVERSIONS else func.sum(Conversion.sale_amount)
    query = (select(Conversion.partner_id, measure)
             .where(Conversion.status == ConversionStatus.APPROVED, Conversion.payable.is_(True),
                    or_(Conversion.review.is_(None), Conversion.review == "cleared"),
                    Conversion.created_at >= start, Conversion.created_at < end)
             .group_by(Conversion.partner_id))
    if rule.offer_id is not None:
        query = query.where(Conversion.offer_id == rule.offer_id)
    if rule.metric == REVENUE:
        query = query.where(Conversion.currency == rule.currency, Conversion.sale_amount.is_not(None))
    if partner_ids is not None:
        query = query.where(Conversion.partner_id.in_(list(partner_ids)))
    found = {}
    for partner_id, value in (await uow.session.execute(query)).all():
        # SQLite sums NUMERIC as float; sale amounts have at most 4 places, so rounding back is exact.
        found[partner_id] = Decimal(str(value or 0)).quantize(Decimal("0.0001"))
    return found
