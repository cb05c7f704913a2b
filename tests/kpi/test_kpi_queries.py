"""Program KPIs against figures worked out by hand (tests/fakes/kpi_data.py): November 2026 against October,
retention through September, an offer filter, an empty period (no exception, every ratio unknown), the same
figures from the hourly rollup as from raw clicks, and currencies never added together."""
from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal as D

from services.kpi.figures import Figures, change
from services.kpi.queries import program_kpis
from services.stats.periods import between
from services.stats.rollups import roll_up
from tests.fakes.kpi_data import build

NOVEMBER = between(date(2026, 11, 1), date(2026, 11, 30), "UTC")


async def _report(deps, period=NOVEMBER, offer_id=None):
    async with deps.uow(readonly=True) as uow:
        return await program_kpis(uow, period, offer_id)


def _values(report) -> dict:
    return {m.name: (m.value, m.previous, m.change) for m in report.metrics}


async def test_every_kpi_by_hand(deps):
    deps.clock.current = datetime(2026, 12, 5, 12, tzinfo=UTC)
    p = await build(deps)
    report = await _report(deps)
    assert (report.previous_period.first_day, report.previous_period.last_day) == (date(2026, 10, 2),
                                                                                   date(2026, 10, 31))
    v = _values(report)
    # Active: Nov {A, B, D}, Oct {A, B, C}, Sep {A, D}.
    assert v["active_partners"] == (3, 3, D("0.0"))
    assert v["retention"] == (D("66.67"), D("50.00"), D("33.3"))
    assert v["new_partners"] == (2, 1, D("100.0"))
    assert v["approved_partners"] == (2, 0, None)  # "—": nobody was approved in October
    assert v["approval_rate"] == (D("66.67"), None, None)
    assert v["clicks"] == (7, 4, D("75.0"))
    assert v["unique_clicks"] == (6, 4, D("50.0"))
    assert v["conversions"] == (4, 1, D("300.0"))
    assert v["cr"] == (D("66.67"), D("25.00"), D("166.7"))
    assert v["commissions"] == ({"RUB": D("180.5000"), "USD": D("10.0000")}, {"RUB": D("90.0000")},
                                {"RUB": D("100.6"), "USD": None})
    assert v["epc"][0] == {"RUB": D("25.79"), "USD": D("1.43")} and v["epc"][1] == {"RUB": D("22.50")}
    assert v["arpu"][0] == {"RUB": D("60.17"), "USD": D("3.33")} and v["arpu"][1] == {"RUB": D("30.00")}
    # PLTV: 30-day periods, so lifetime = 1 / (1 - retention): Nov 3 months, Oct 2 months.
    assert report.current.lifetime_months == D("3.00") and report.previous.lifetime_months == D("2.00")
    assert v["pltv"][:2] == ({"RUB": D("180.50"), "USD": D("10.00")}, {"RUB": D("60.00")})
    assert v["fraud_rate"] == (D("40.00"), D("0.00"), None)
    assert v["paid"] == ({"RUB": D("1000.0000")}, {}, {"RUB": None})
    assert v["payouts_pending"] == ({"RUB": D("300.0000"), "USD": D("20.0000")}, {"RUB": D("300.0000")},
                                    {"RUB": D("0.0"), "USD": None})
    assert v["tickets"] == (3, 1, D("200.0"))
    assert v["first_response_minutes"] == (D("60.0"), D("10.0"), D("500.0"))
    assert v["csat"] == (D("4.00"), None, None)
    assert v["deflection"] == (D("75.00"), None, None)
    # Top lists: most conversions, then clicks; money per currency.
    assert [(r.label, r.conversions, r.clicks, r.commissions) for r in report.top_partners] == [
        ("Alice", 2, 4, {"RUB": D("100.0000"), "USD": D("10.0000")}), ("Bob", 1, 2, {"RUB": D("50.0000")}),
        ("Dan", 1, 1, {"RUB": D("30.5000")})]
    assert [(r.label, r.conversions, r.clicks) for r in report.top_offers] == [("Shop", 3, 6), ("App", 1, 1)]
    # The daily series: 30 days, D's last-hour click on the 30th.
    assert len(report.daily) == 30 and report.daily[0].day == date(2026, 11, 1)
    assert (report.daily[0].clicks, report.daily[0].conversions, report.daily[0].active_partners) == (3, 1, 1)
    assert report.daily[-1].clicks == 1 and report.daily[-1].commissions == {"RUB": D("30.5000")}
    assert sum(d.clicks for d in report.daily) == 7
    data = report.to_dict()
    assert data["metrics"]["commissions"]["value"] == {"RUB": "180.5000", "USD": "10.0000"}
    assert data["metrics"]["csat"]["previous"] is None and data["period"]["days"] == 30


async def test_rollup_gives_the_same_figures(deps):
    deps.clock.current = datetime(2026, 12, 5, 12, tzinfo=UTC)
    p = await build(deps)
    kolkata = between(date(2026, 11, 1), date(2026, 11, 30), "Asia/Kolkata")  # half-hour midnights
    before = [(await _report(deps, period, offer)).to_dict() for period in (NOVEMBER, kolkata)
              for offer in (None, p.app)]
    assert await roll_up(deps) > 0
    after = [(await _report(deps, period, offer)).to_dict() for period in (NOVEMBER, kolkata)
             for offer in (None, p.app)]
    assert after == before
    # Kolkata's November starts at 18:30 UTC on Oct 31: D's 23:30 click on the 30th is December 1st there,
    # and C's 00:00 click on December 1st too.
    assert before[2]["metrics"]["clicks"]["value"] == 6


async def test_offer_filter(deps):
    deps.clock.current = datetime(2026, 12, 5, 12, tzinfo=UTC)
    p = await build(deps)
    v = _values(await _report(deps, offer_id=p.app))
    assert v["active_partners"][:2] == (1, 0) and v["clicks"][:2] == (1, 0)
    assert v["retention"] == (None, None, None)  # nobody clicked App in October
    assert v["commissions"][0] == {"USD": D("10.0000")} and v["pltv"][0] == {}
    assert v["new_partners"][0] == 2  # program-wide figures stay unfiltered


async def test_empty_period_has_no_values_and_no_errors(deps):
    deps.clock.current = datetime(2026, 12, 5, 12, tzinfo=UTC)
    report = await _report(deps, between(date(2025, 1, 1), date(2025, 1, 7), "Europe/Moscow"))
    for metric in report.metrics:
        if metric.kind == "count":
            assert metric.value == 0 and metric.change is None, metric
        elif metric.kind == "money":
            assert metric.value == {} and metric.change == {}, metric
        else:
            assert metric.value is None and metric.change is None, metric
    assert len(report.daily) == 7 and report.top_partners == [] and report.top_offers == []


def test_formulas_edge_cases():
    f = Figures(days=7, active_partners=2, previous_active=4, retained=4, commissions={"RUB": D("70")})
    assert f.retention == D("100.00") and f.lifetime_months == D(36)  # nobody churned: capped
    assert f.pltv == {"RUB": D("5400.00")}  # ARPU 35 a week → 150 a month, × 36 months
    f.retained = 0
    assert f.lifetime_months == D("1.00")  # everyone churned: one month
    f.retained = 2  # 50 % a week → (0.5^(30/7)) kept a month
    assert f.lifetime_months == D("1.05")
    assert change(D("5"), 0) is None and change(0, 4) == D("-100.0") and change(None, 3) is None
    assert Figures(days=1, response_seconds=[60, 180, 7]).first_response_minutes == D("1.0")
