"""JSON view models of the dashboard, built from services/stats' plain data (the chat shows the same figures).

Money leaves as strings — exact decimals ("1234.5000") for charts and ready-made text ("1 234.50 RUB") for people;
never as floats. Counts are ints. Nothing here knows which partner asked: the caller resolved that.
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from services.kernel.money import cents, format_money
from services.stats.periods import GROUPS, PRESETS, Period  # noqa: F401  (picker and tables: as /stats)

STATUSES = ("approved", "pending", "rejected", "refunded")


def money_list(amounts: Mapping[str, Decimal] | None) -> list[dict[str, str]]:
    """{currency: amount} → [{currency, amount, text}] sorted by currency (a partner may earn in several)."""
    return [{"currency": currency, "amount": str(cents(amount)), "text": format_money(amount, currency)}
            for currency, amount in sorted((amounts or {}).items())]


def percent(value: Decimal | None) -> str:
    return f"{cents(value or Decimal(0))}"


def figures(f: Any) -> dict[str, Any]:
    conversions = {status: int((f.conversions or {}).get(status, 0)) for status in STATUSES}
    return {
        "clicks": int(f.clicks),
        "unique_clicks": int(f.unique_clicks),
        "conversions": conversions,
        "conversions_total": sum(conversions.values()),
        "cr": percent(f.cr),
        "epc": money_list(f.epc),
        "earnings": money_list(f.earnings),
        "l2_earnings": money_list(f.l2_earnings),
    }


def period_view(period: Period, preset: str, daily: Any) -> dict[str, Any]:
    """The period as the partner reads it: local dates (end inclusive) and the timezone they are in. "All time"
    starts where the partner's day rows start (their first activity), not at the query's distant origin."""
    first, last = period.first_day, period.last_day
    if period.preset == "all" and daily.rows:
        first = _day(daily.rows[0].key) or first
    return {"preset": preset, "tz": period.tz, "from": first.isoformat(), "to": last.isoformat(),
            "text": first.strftime("%d.%m.%Y") if first == last
            else f"{first:%d.%m.%Y} – {last:%d.%m.%Y}"}


def _day(key: str) -> date | None:
    try:
        return date.fromisoformat(key)
    except ValueError:
        return None


def series(report: Any) -> dict[str, Any]:
    """Per-day arrays for the charts (report grouped by day, empty days included)."""
    currencies = sorted({c for row in report.rows for c in (row.figures.earnings or {})}
                        | set(report.totals.earnings or {}))
    return {
        "days": [row.key for row in report.rows],
        "labels": [row.label for row in report.rows],
        "clicks": [int(row.figures.clicks) for row in report.rows],
        "unique_clicks": [int(row.figures.unique_clicks) for row in report.rows],
        "conversions": {status: [int((row.figures.conversions or {}).get(status, 0)) for row in report.rows]
                        for status in STATUSES},
        "earnings": {currency: [str(cents((row.figures.earnings or {}).get(currency, Decimal(0))))
                                for row in report.rows] for currency in currencies},
    }


def table(report: Any, group: str) -> dict[str, Any]:
    return {"group": group, "rows": [{"key": row.key, "label": row.label, **figures(row.figures)}
                                     for row in report.rows]}


def balance_view(summary: Mapping[str, Mapping[str, Decimal]]) -> list[dict[str, Any]]:
    return [{"currency": currency, **{bucket: {"amount": str(cents(amount)), "text": format_money(amount, currency)}
                                      for bucket, amount in buckets.items()}}
            for currency, buckets in sorted(summary.items())]


def dashboard(*, partner: Any, period: Any, preset: str, daily: Any, grouped: Any, group: str,
              balance: Mapping[str, Mapping[str, Decimal]], now: datetime) -> dict[str, Any]:
    return {
        "partner": {"name": partner.name or "", "locale": partner.locale, "tz": partner.timezone},
        "period": period_view(period, preset, daily),
        "totals": figures(daily.totals),
        "balance": balance_view(balance),
        "series": series(daily),
        "table": table(grouped, group),
        "generated_at": now.isoformat(),
    }
