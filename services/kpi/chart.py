"""The KPIs' main trends as a PNG: clicks, conversions, active partners and commissions (one line per currency)
per day. matplotlib's object API on the Agg canvas, imported on first use, drawn off the event loop by callers
(asyncio.to_thread), as services/stats/chart.py."""
from __future__ import annotations

import io

from services.kernel.i18n import default_translator
from services.kpi.queries import KpiReport

WIDTH, HEIGHT, DPI = 10, 7, 100  # 1000 × 700 px
COLOURS = ("#188038", "#a142f4", "#d93025", "#12b5cb")


def render_png(report: KpiReport, locale: str) -> bytes:
    from matplotlib.figure import Figure  # noqa: PLC0415 (lazy)
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    t = default_translator()
    days = report.daily
    x = list(range(len(days)))
    labels = [f"{d.day:%d.%m}" for d in days]
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    axes = figure.subplots(2, 2, sharex=True)
    figure.suptitle(t(locale, "kpi-chart-title", {**report.period.label_args}), fontsize=12)
    series = ((axes[0][0], "kpi-m-clicks", [d.clicks for d in days], "#4c8bf5"),
              (axes[0][1], "kpi-m-conversions", [d.conversions for d in days], "#e8710a"),
              (axes[1][0], "kpi-m-active_partners", [d.active_partners for d in days], "#1a5fd1"))
    for ax, key, values, colour in series:
        ax.bar(x, values, color=colour)
        ax.set_title(t(locale, key), fontsize=10)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.grid(axis="y", alpha=0.3)
    money = axes[1][1]
    money.set_title(t(locale, "kpi-m-commissions"), fontsize=10)
    currencies = sorted({cur for d in days for cur in d.commissions})
    for index, cur in enumerate(currencies):
        money.plot(x, [float(d.commissions.get(cur, 0)) for d in days], color=COLOURS[index % len(COLOURS)],
                   marker="o", markersize=3, label=cur)
    if currencies:
        money.legend(loc="upper left", fontsize=8)
    money.set_ylim(bottom=0)
    money.grid(axis="y", alpha=0.3)
    step = max(1, len(days) // 10)
    for ax in axes[1]:
        ax.set_xticks(x[::step], labels[::step], rotation=45 if len(days) > 8 else 0, fontsize=8)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
