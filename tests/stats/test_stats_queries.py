"""partner_stats against figures computed by hand: time zones, local day and month boundaries, grouping,
currencies, second-level money — with the click rollup not run, run half-way and run to the end."""
from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from services.stats.periods import parse_period
from services.stats.export import to_csv
from services.stats.queries import balance_summary, partner_stats
from services.stats.rollups import roll_up
from tests.fakes.stats_data import add_clicks, add_conversion, add_ledger, add_link, add_offer, add_partner

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


async def _world(deps) -> dict[str, int]:
    deps.clock.current = NOW
    me = await add_partner(deps, tz="Europe/Moscow")
    rub, usd = await add_offer(deps, name="Shop"), await add_offer(deps, name="Games", currency="USD")
    blog = await add_link(deps, me, rub, name="blog")
    games = await add_link(deps, me, usd)
    # Moscow is UTC+3: 21:00 UTC is the next local day.
    await add_clicks(deps, blog, [utc(2026, 10, 31, 20, 59),  # Oct 31 local: outside November
                                  utc(2026, 10, 31, 21, 0),  # Nov 1 00:00 local
                                  utc(2026, 11, 1, 10, 0),
                                  utc(2026, 11, 30, 20, 30),  # Nov 30 23:30 local
                                  utc(2026, 11, 30, 21, 0)],  # Dec 1 local: outside November
                     unique=[True, True, False, True, True])
    await add_clicks(deps, games, [utc(2026, 11, 15, 12, 0)] * 3, unique=[True, False, True], subs={"sub1": "x"})
    await add_conversion(deps, blog, utc(2026, 11, 1, 11, 0), "approved", "150.50")
    await add_conversion(deps, blog, utc(2026, 11, 1, 12, 0), "pending", "20")
    await add_conversion(deps, blog, utc(2026, 11, 30, 20, 45), "rejected", "99")
    await add_conversion(deps, blog, utc(2026, 10, 31, 20, 0), "approved", "1000")  # Oct 31 local
    await add_conversion(deps, games, utc(2026, 11, 15, 13, 0), "refunded", "5", currency="USD", sub1="x")
    await add_conversion(deps, games, utc(2026, 11, 16, 9, 0), "approved", "7.25", currency="USD", sub1="x")
    # A sub-partner's approved sale on Nov 20 earns `me` 10 RUB (held, then released: net 10); one on Dec 1
    # local is outside November.
    sub = await add_partner(deps, parent_id=me)
    sub_link = await add_link(deps, sub, rub)
    inside = await add_conversion(deps, sub_link, utc(2026, 11, 20, 10, 0), "approved", "200")
    outside = await add_conversion(deps, sub_link, utc(2026, 11, 30, 22, 0), "approved", "60")
    await add_ledger(deps, me, inside, "l2_commission", "hold", "10")
    await add_ledger(deps, me, inside, "release", "hold", "-10")
    await add_ledger(deps, me, inside, "release", "available", "10")
    await add_ledger(deps, me, outside, "l2_commission", "hold", "3")
    await add_ledger(deps, sub, inside, "commission", "hold", "200")  # the sub-partner's own money: not ours
    return {"me": me, "blog": blog, "games": games, "rub": rub, "usd": usd}


async def _stats(deps, partner: int, text: str, tz: str = "Europe/Moscow"):
    period, group = parse_period(text, tz, deps.clock.now())
    async with deps.uow() as uow:
        return await partner_stats(uow, partner, period, group)


async def test_figures_by_hand(deps):
    world = await _world(deps)
    await _check_by_hand(deps, world)  # nothing rolled up yet
    deps.clock.current = utc(2026, 11, 15, 12, 30)
    await roll_up(deps)  # rolled up to the middle of November
    deps.clock.current = NOW
    await _check_by_hand(deps, world)
    await roll_up(deps)  # rolled up to the current hour
    await _check_by_hand(deps, world)


async def _check_by_hand(deps, world: dict[str, int]) -> None:
    report = await _stats(deps, world["me"], "lastmonth")
    assert (report.period.start, report.period.end) == (utc(2026, 10, 31, 21), utc(2026, 11, 30, 21))
    totals = report.totals
    assert (totals.clicks, totals.unique_clicks) == (6, 4)
    assert totals.conversions == {"pending": 1, "approved": 2, "rejected": 1, "refunded": 1}
    assert totals.earnings == {"RUB": Decimal("170.50"), "USD": Decimal("7.25")}
    assert totals.l2_earnings == {"RUB": Decimal("10")}
    assert totals.cr == Decimal("75.00")  # (2 approved + 1 pending) / 4 unique
    assert totals.epc == {"RUB": Decimal("28.42"), "USD": Decimal("1.21")}  # 170.50 / 6, 7.25 / 6

    assert [row.key for row in report.rows] == [f"2026-11-{day:02d}" for day in range(1, 31)]
    days = {row.key: row.figures for row in report.rows}
    assert (days["2026-11-01"].clicks, days["2026-11-01"].unique_clicks) == (2, 1)
    assert days["2026-11-01"].earnings == {"RUB": Decimal("170.50")}
    assert days["2026-11-15"].conversions["refunded"] == 1 and days["2026-11-15"].clicks == 3
    assert days["2026-11-16"].earnings == {"USD": Decimal("7.25")}
    assert days["2026-11-20"].l2_earnings == {"RUB": Decimal("10")} and days["2026-11-20"].clicks == 0
    assert (days["2026-11-30"].clicks, days["2026-11-30"].conversions["rejected"]) == (1, 1)
    assert sum(f.clicks for f in days.values()) == 6

    by_link = await _stats(deps, world["me"], "lastmonth by link")
    assert [(r.key, r.label, r.figures.clicks) for r in by_link.rows] == [
        (str(world["blog"]), "blog", 3), (str(world["games"]), by_link.rows[1].label, 3)]
    assert by_link.rows[1].label.startswith("sc")  # no name: the link's code
    assert by_link.totals.l2_earnings == {"RUB": Decimal("10")} and by_link.rows[0].figures.l2_earnings == {}
    by_sub = await _stats(deps, world["me"], "lastmonth by sub1")
    assert [(r.key, r.label, r.figures.clicks, sum(r.figures.conversions.values())) for r in by_sub.rows] == [
        ("", "—", 3, 3), ("x", "x", 3, 2)]
    by_offer = await _stats(deps, world["me"], "lastmonth by offer")
    assert {r.label: r.figures.earnings for r in by_offer.rows} == {
        "Shop": {"RUB": Decimal("170.50")}, "Games": {"USD": Decimal("7.25")}}

    # The same clicks counted in other zones: UTC's November takes Nov 30 21:00 UTC but not Oct 31 21:00.
    in_utc = await _stats(deps, world["me"], "lastmonth", tz="UTC")
    assert in_utc.totals.clicks == 6 and {r.key: r.figures.clicks for r in in_utc.rows}["2026-11-30"] == 2
    # Kolkata (+05:30): Oct 31 18:30 UTC … Nov 30 18:30 UTC.
    in_kolkata = await _stats(deps, world["me"], "lastmonth", tz="Asia/Kolkata")
    assert in_kolkata.totals.clicks == 6
    assert {r.key: r.figures.clicks for r in in_kolkata.rows}["2026-11-01"] == 3
    # This month in Moscow starts at Nov 30 21:00 UTC.
    month = await _stats(deps, world["me"], "month")
    assert month.totals.clicks == 1 and month.rows[0].figures.clicks == 1 and len(month.rows) == 31


async def test_all_time_starts_at_the_first_activity(deps):
    world = await _world(deps)
    report = await _stats(deps, world["me"], "all")
    assert report.rows[0].key == "2026-10-31"  # the first click, local day
    assert report.rows[-1].key == "2026-12-05"
    assert report.totals.clicks == 8 and report.totals.conversions["approved"] == 3


async def test_empty_partner_and_period(deps):
    deps.clock.current = NOW
    me = await add_partner(deps, tz="Asia/Vladivostok")
    report = await _stats(deps, me, "7d", tz="Asia/Vladivostok")
    assert len(report.rows) == 7 and report.totals.clicks == 0 and report.totals.cr == Decimal("0.00")
    assert report.totals.epc == {} and report.totals.earnings == {}
    assert (await _stats(deps, me, "all by sub3")).rows == []


async def test_balance_summary(deps):
    deps.clock.current = NOW
    me = await add_partner(deps)
    await add_ledger(deps, me, None, "commission", "hold", "100.25")
    await add_ledger(deps, me, None, "release", "hold", "-40")
    await add_ledger(deps, me, None, "release", "available", "40")
    await add_ledger(deps, me, None, "payout", "available", "-30")
    await add_ledger(deps, me, None, "commission", "hold", "5", currency="USD")
    async with deps.uow() as uow:
        summary = await balance_summary(uow, me)
    assert summary == {"RUB": {"on_hold": Decimal("60.25"), "available": Decimal("10"), "paid_out": Decimal("30")},
                       "USD": {"on_hold": Decimal("5"), "available": Decimal("0"), "paid_out": Decimal("0")}}


async def test_report_serialises_for_json(deps):
    world = await _world(deps)
    data = (await _stats(deps, world["me"], "lastmonth by sub1")).to_dict()
    assert data["period"]["from"] == "2026-11-01" and data["period"]["tz"] == "Europe/Moscow"
    assert data["totals"]["earnings"] == {"RUB": "170.50", "USD": "7.25"} and data["totals"]["cr"] == "75.00"
    assert data["rows"][1]["key"] == "x"


async def test_csv_parses_and_defuses_formulas(deps):
    deps.clock.current = NOW
    me = await add_partner(deps)
    link = await add_link(deps, me, await add_offer(deps), name="=HYPERLINK(\"http://evil\")")
    await add_clicks(deps, link, [utc(2026, 12, 1, 10)] * 2, subs={"sub1": "=1+2"})
    await add_clicks(deps, link, [utc(2026, 12, 2, 10)], subs={"sub1": "ok"})
    for group, first, total in (("sub1", "'=1+2", ["Total", "3", "3"]), ("link", str(link), ["Total", "", "3"])):
        data = to_csv(await _stats(deps, me, f"7d by {group}", tz="UTC"))
        table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        assert table[1][0] == first and table[-1][:3] == total
        if group == "link":
            assert table[0][:3] == ["link_id", "link", "clicks"] and table[1][1] == "'=HYPERLINK(\"http://evil\")"
