"""KPI values as language-neutral text for the chat, the CSV and the web page: numbers, percents, money per
currency with each currency's own change, arrows for the changes, "—" where there is no value."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.kernel.money import format_money
from services.kpi.figures import Metric

NONE = "—"


def arrow(change: Decimal | None) -> str:
    """"▲ +12.5 %", "▼ −3.0 %", "= 0.0 %", or "—" when there is nothing to compare with."""
    if change is None:
        return NONE
    if change > 0:
        return f"▲ +{change} %"
    if change < 0:
        return f"▼ −{-change} %"
    return f"= {change} %"


def plain(value: Any, kind: str) -> str:
    if value is None:
        return NONE
    if kind == "percent":
        return f"{value} %"
    return str(value)


def metric_text(metric: Metric) -> str:
    """The value with its change: "7 (▲ +75.0 %)"; money: "180.50 RUB (▲ +100.6 %), 10.00 USD (—)"."""
    if metric.kind == "money":
        currencies = sorted({*metric.value, *metric.previous})
        if not currencies:
            return NONE
        return ", ".join(f"{format_money(metric.value.get(cur, Decimal(0)), cur)} ({arrow(metric.change.get(cur))})"
                         for cur in currencies)
    return f"{plain(metric.value, metric.kind)} ({arrow(metric.change)})"


def money_text(amounts: dict[str, Decimal]) -> str:
    return ", ".join(format_money(amount, cur) for cur, amount in sorted(amounts.items())) or "0.00"
