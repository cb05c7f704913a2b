"""KPI results as plain data: the figures of one period and the formulas derived from them.

Every ratio is a Decimal percent with 2 places, or None when its denominator is 0 (shown as "—", never an
exception). Money is {currency: Decimal}: currencies are never summed together. `change()` compares a figure with
the previous period's: a relative change in percent (1 place), None when the previous value is 0 or unknown.

PLTV (partner lifetime value) is estimated from the period's own ARPU and retention:
    arpu_30   = ARPU × 30 / days                      (ARPU scaled to a 30-day month)
    churn_30  = 1 − retention ^ (30 / days)           (retention as a fraction, scaled to a 30-day month)
    lifetime  = min(1 / churn_30, 36) months          (36 when nobody churned)
    PLTV      = arpu_30 × lifetime
None when retention is unknown (nobody was active in the previous period) or nobody is active now.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

CENT = Decimal("0.01")
TENTH = Decimal("0.1")
MONTH_DAYS = 30
MAX_LIFETIME_MONTHS = Decimal(36)
Money = dict[str, Decimal]


def percent(part: int | Decimal, whole: int | Decimal) -> Decimal | None:
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(CENT, ROUND_HALF_UP)


def per(amounts: Money, count: int) -> Money:
    """Money divided per unit (ARPU, EPC), per currency; {} when there is nothing to divide by."""
    if not count:
        return {}
    return {cur: (amount / count).quantize(CENT, ROUND_HALF_UP) for cur, amount in sorted(amounts.items())}


def change(current: Any, previous: Any) -> Decimal | None:
    """Relative change in percent, 1 place; None when the previous value is 0 or either is unknown."""
    if current is None or previous is None or not previous:
        return None
    return ((Decimal(current) - Decimal(previous)) * 100 / Decimal(previous)).quantize(TENTH, ROUND_HALF_UP)


def money_change(current: Money, previous: Money) -> dict[str, Decimal | None]:
    return {cur: change(current.get(cur, Decimal(0)), previous.get(cur)) for cur in sorted({*current, *previous})}


@dataclass
class Figures:
    """One period's raw counts and sums (see the README's "KPI definitions")."""

    days: int
    active_partners: int = 0  # partners with at least one click in the period
    previous_active: int = 0  # partners active in the period before (retention's denominator)
    retained: int = 0  # of those, active again in this period
    new_partners: int = 0  # partners who sent their application in the period
    approved_partners: int = 0  # partners approved in the period
    decisions: int = 0  # applications decided in the period (approved + rejected)
    approved_decisions: int = 0
    clicks: int = 0
    unique_clicks: int = 0
    conversions: int = 0  # created in the period, pending or approved now
    all_conversions: int = 0  # created in the period, any status
    flagged: int = 0  # of all_conversions, carrying a fraud flag
    commissions: Money = field(default_factory=dict)  # accrued: commission of `conversions`
    paid: Money = field(default_factory=dict)  # payouts marked paid in the period
    payouts_pending: Money = field(default_factory=dict)  # requested or approved, not paid/rejected, at the end
    tickets: int = 0  # support tickets opened in the period
    response_seconds: list[int] = field(default_factory=list)  # first response times of those tickets
    csat_count: int = 0  # ratings given in the period
    csat_sum: int = 0
    faq_questions: int = 0  # free-text FAQ questions asked in the period
    faq_escalated: int = 0  # of those, passed on to a person

    @property
    def approval_rate(self) -> Decimal | None:
        return percent(self.approved_decisions, self.decisions)

    @property
    def retention(self) -> Decimal | None:
        return percent(self.retained, self.previous_active)

    @property
    def arpu(self) -> Money:
        return per(self.commissions, self.active_partners)

    @property
    def lifetime_months(self) -> Decimal | None:
        if not self.previous_active or not self.active_partners:
            return None
        kept = (self.retained / self.previous_active) ** (MONTH_DAYS / self.days)
        churn = Decimal(1) - Decimal(repr(round(kept, 9)))
        if churn <= 0:
            return MAX_LIFETIME_MONTHS
        return min(Decimal(1) / churn, MAX_LIFETIME_MONTHS).quantize(CENT, ROUND_HALF_UP)

    @property
    def pltv(self) -> Money:
        lifetime = self.lifetime_months
        if lifetime is None:
            return {}
        # From the unrounded ARPU: commissions / active partners.
        return {cur: (amount / self.active_partners * MONTH_DAYS / self.days * lifetime).quantize(CENT, ROUND_HALF_UP)
                for cur, amount in sorted(self.commissions.items())}

    @property
    def cr(self) -> Decimal | None:
        return percent(self.conversions, self.unique_clicks)

    @property
    def epc(self) -> Money:
        return per(self.commissions, self.clicks)

    @property
    def fraud_rate(self) -> Decimal | None:
        return percent(self.flagged, self.all_conversions)

    @property
    def first_response_minutes(self) -> Decimal | None:
        """The median, in minutes with 1 place (the mean of the middle two for an even count)."""
        times = sorted(self.response_seconds)
        if not times:
            return None
        middle = len(times) // 2
        median = Decimal(times[middle]) if len(times) % 2 else Decimal(times[middle - 1] + times[middle]) / 2
        return (median / 60).quantize(TENTH, ROUND_HALF_UP)

    @property
    def csat(self) -> Decimal | None:
        return (Decimal(self.csat_sum) / self.csat_count).quantize(CENT, ROUND_HALF_UP) if self.csat_count else None

    @property
    def deflection(self) -> Decimal | None:
        """As the FAQ area's KPI: questions answered without a person, of all free-text questions."""
        return percent(self.faq_questions - self.faq_escalated, self.faq_questions)


# (name, kind): the order figures are shown in; kind says how to format them: count | percent | money | minutes |
# score. The names are the keys of to_dict(), the CSV and the locale labels (kpi-m-<name>).
METRICS: tuple[tuple[str, str], ...] = (
    ("active_partners", "count"), ("new_partners", "count"), ("approved_partners", "count"),
    ("approval_rate", "percent"), ("retention", "percent"), ("arpu", "money"), ("pltv", "money"),
    ("clicks", "count"), ("unique_clicks", "count"), ("conversions", "count"), ("cr", "percent"),
    ("epc", "money"), ("commissions", "money"), ("paid", "money"), ("payouts_pending", "money"),
    ("fraud_rate", "percent"), ("tickets", "count"), ("first_response_minutes", "minutes"), ("csat", "score"),
    ("deflection", "percent"),
)


@dataclass(frozen=True)
class Metric:
    name: str
    kind: str
    value: Any  # int | Decimal | None | Money
    previous: Any
    change: Any  # Decimal | None, or {currency: Decimal | None} for money


@dataclass(frozen=True)
class TopRow:
    id: int
    label: str
    clicks: int
    conversions: int
    commissions: Money


@dataclass(frozen=True)
class DayPoint:
    day: date
    clicks: int
    conversions: int
    active_partners: int
    commissions: Money


def metrics(current: Figures, previous: Figures) -> list[Metric]:
    found = []
    for name, kind in METRICS:
        value, before = getattr(current, name), getattr(previous, name)
        delta = money_change(value, before) if kind == "money" else change(value, before)
        found.append(Metric(name, kind, value, before, delta))
    return found


def _json(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _json(item) for key, item in sorted(value.items())}
    if isinstance(value, Decimal):
        return str(value)
    return value


def metric_dict(metric: Metric) -> dict[str, Any]:
    """JSON-ready: Decimals as strings, money as {currency: "12.34"}, unknown as null."""
    return {"kind": metric.kind, "value": _json(metric.value), "previous": _json(metric.previous),
            "change_percent": _json(metric.change)}
