"""A report as CSV: UTF-8 with a BOM (Excel then reads the Cyrillic right), a header row, one line per report
row and a totals line. Money columns are per currency ("earnings_RUB", "epc_RUB", "l2_RUB"), plain decimals;
text that could pass for a spreadsheet formula is quoted."""
from __future__ import annotations

import csv
import io
from decimal import Decimal

from services.kernel.i18n import default_translator
from services.kernel.money import cents
from services.stats.queries import STATUSES, Figures, StatsReport

_KEY_COLUMNS = {"day": ("date",), "link": ("link_id", "link"), "offer": ("offer_id", "offer")}


def _columns(report: StatsReport) -> tuple[tuple[str, ...], list[str]]:
    currencies = sorted({cur for figures in (report.totals, *(r.figures for r in report.rows))
                         for cur in (*figures.earnings, *figures.l2_earnings)})
    keys = _KEY_COLUMNS.get(report.group_by, (report.group_by,))
    return keys, currencies


def _figures(figures: Figures, currencies: list[str]) -> list[str]:
    values = [str(figures.clicks), str(figures.unique_clicks), *(str(figures.conversions.get(s, 0)) for s in STATUSES),
              str(figures.cr)]
    epc = figures.epc
    for currency in currencies:
        values += [_money(figures.earnings.get(currency)), _money(epc.get(currency)),
                   _money(figures.l2_earnings.get(currency))]
    return values


def _text(value: str) -> str:
    """Sub-ids come from visitors' URLs: a cell starting like a formula is quoted, or Excel would run it."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _money(amount: Decimal | None) -> str:
    return str(cents(amount if amount is not None else Decimal(0)))


def header(report: StatsReport, locale: str | None = None) -> list[str]:
    """Column names: stable ids, or in `locale` (from the locales' stats-csv-* messages)."""
    keys, currencies = _columns(report)
    names = [*keys, "clicks", "unique_clicks", *STATUSES, "cr_percent"]
    for currency in currencies:
        names += [f"earnings_{currency}", f"epc_{currency}", f"l2_{currency}"]
    if locale is None:
        return names
    t = default_translator()
    localized = []
    for name in names:
        column, _, currency = name.rpartition("_")
        if not (len(currency) == 3 and currency.isupper()):
            column, currency = name, ""
        localized.append(t(locale, "stats-csv-column", {"column": column, "currency": currency}))
    return localized


def to_csv(report: StatsReport, locale: str | None = None) -> bytes:
    keys, currencies = _columns(report)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header(report, locale))
    for row in report.rows:
        key_values = [_text(row.key), _text(row.label)] if len(keys) == 2 else [_text(row.key)]
        writer.writerow([*key_values, *_figures(row.figures, currencies)])
    total = default_translator()(locale or "en", "stats-csv-total")
    writer.writerow([total, *([""] * (len(keys) - 1)), *_figures(report.totals, currencies)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
