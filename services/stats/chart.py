"""A report as a PNG chart: clicks (and unique clicks) as bars with conversions on a second axis, earnings per
currency below. matplotlib's object API with the Agg canvas (no pyplot state, no display): thread-safe, so
callers render it off the event loop with asyncio.to_thread. matplotlib is imported on first use only — it
costs half a second and tens of MB that a bot which never draws a chart should not pay."""
from __future__ import annotations

import io

from services.kernel.i18n import default_translator
from services.stats.queries import EARNING, StatsReport

WIDTH, HEIGHT, DPI = 10, 6, 100  # 1000 × 600 px: readable on a phone, well under the messengers' limits
CLICKS, UNIQUE, CONVERSIONS = "#4c8bf5", "#1a5fd1", "#e8710a"
EARNINGS = ("#188038", "#a142f4", "#d93025", "#12b5cb")


def render_png(report: StatsReport, locale: str) -> bytes:
    from matplotlib.figure import Figure  # noqa: PLC0415 (lazy: see the module docstring)
    from matplotlib.ticker import MaxNLocator  # noqa: PLC0415

    t = default_translator()
    rows = report.rows
    positions = list(range(len(rows)))
    labels = [f"{row.key[8:10]}.{row.key[5:7]}" for row in rows] if report.group_by == "day" else \
        [row.label if len(row.label) <= 16 else row.label[:15] + "…" for row in rows]
    figure = Figure(figsize=(WIDTH, HEIGHT), dpi=DPI)
    top, bottom = figure.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": (3, 2)})
    figure.suptitle(t(locale, "stats-chart-title", report.period.label_args), fontsize=12)

    top.bar(positions, [r.figures.clicks for r in rows], color=CLICKS, label=t(locale, "stats-chart-clicks"))
    top.bar(positions, [r.figures.unique_clicks for r in rows], width=0.45, color=UNIQUE,
            label=t(locale, "stats-chart-unique"))
    top.yaxis.set_major_locator(MaxNLocator(integer=True))
    top.grid(axis="y", alpha=0.3)
    conversions = top.twinx()
    conversions.plot(positions, [sum(r.figures.conversions.get(s, 0) for s in EARNING) for r in rows],
                     color=CONVERSIONS, marker="o", markersize=3, label=t(locale, "stats-chart-conversions"))
    conversions.yaxis.set_major_locator(MaxNLocator(integer=True))
    conversions.set_ylim(bottom=0)
    handles = [*top.get_legend_handles_labels()[0], *conversions.get_legend_handles_labels()[0]]
    top.legend(handles, [h.get_label() for h in handles], loc="upper left", fontsize=8)

    currencies = sorted({cur for r in rows for cur in (*r.figures.earnings, *r.figures.l2_earnings)})
    for index, currency in enumerate(currencies):
        values = [float(r.figures.earnings.get(currency, 0) + r.figures.l2_earnings.get(currency, 0)) for r in rows]
        bottom.plot(positions, values, color=EARNINGS[index % len(EARNINGS)], marker="o", markersize=3,
                    label=currency)
    bottom.set_ylabel(t(locale, "stats-chart-earnings"))
    bottom.set_ylim(bottom=0)
    bottom.grid(axis="y", alpha=0.3)
    if currencies:
        bottom.legend(loc="upper left", fontsize=8)
    step = max(1, len(rows) // 15)  # at most ~15 labels under the axis
    bottom.set_xticks(positions[::step], labels[::step], rotation=45 if step > 1 or len(rows) > 10 else 0,
                      fontsize=8)
    if not rows:
        bottom.set_xticks([])
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
