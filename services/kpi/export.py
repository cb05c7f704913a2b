"""KPIs as CSV: UTF-8 with a BOM (Excel reads the Cyrillic right). First the figures — one row per metric and
currency: value, previous period's value, change in percent (empty where there is none) — then, after an empty
row, the daily series. Plain decimals; names of partners and offers are quoted if they look like formulas."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from services.kernel.i18n import default_translator
from services.kpi.queries import KpiReport


def _cell(value: object) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def to_csv(report: KpiReport, locale: str) -> bytes:
    t = default_translator()
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    period, previous = report.period, report.previous_period
    writer.writerow([t(locale, "kpi-csv-metric"), t(locale, "kpi-csv-currency"),
                     f"{period.first_day}..{period.last_day}", f"{previous.first_day}..{previous.last_day}",
                     t(locale, "kpi-csv-change")])
    for metric in report.metrics:
        label = t(locale, f"kpi-m-{metric.name}")
        if metric.kind == "money":
            for cur in sorted({*metric.value, *metric.previous}):
                writer.writerow([label, cur, metric.value.get(cur, Decimal(0)), metric.previous.get(cur, Decimal(0)),
                                 _cell(metric.change.get(cur))])
        else:
            writer.writerow([label, "", _cell(metric.value), _cell(metric.previous), _cell(metric.change)])
    for name, rows in (("kpi-csv-top-partners", report.top_partners), ("kpi-csv-top-offers", report.top_offers)):
        writer.writerow([])
        writer.writerow([t(locale, name), "ID", t(locale, "kpi-m-clicks"), t(locale, "kpi-m-conversions"),
                         t(locale, "kpi-m-commissions")])
        for row in rows:
            money = "; ".join(f"{amount} {cur}" for cur, amount in sorted(row.commissions.items()))
            writer.writerow([_cell(row.label), row.id, row.clicks, row.conversions, money])
    currencies = sorted({cur for day in report.daily for cur in day.commissions})
    writer.writerow([])
    writer.writerow([t(locale, "kpi-csv-day"), t(locale, "kpi-m-clicks"), t(locale, "kpi-m-conversions"),
                     t(locale, "kpi-m-active_partners"),
                     *(f"{t(locale, 'kpi-m-commissions')}, {cur}" for cur in currencies)])
    for day in report.daily:
        writer.writerow([day.day.isoformat(), day.clicks, day.conversions, day.active_partners,
                         *(day.commissions.get(cur, Decimal(0)) for cur in currencies)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
