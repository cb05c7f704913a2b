"""Standings against hand-computed fixtures (SQLite and PostgreSQL): ties to whoever reached the figure first;
rejected, refunded, still-flagged and unpayable conversions excluded; period boundaries in the program's time
zone; offers filter; revenue in one currency; unique clicks from rollup + raw clicks; new sub-partners."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from services.contests import rules, standings
from services.db.contest_models import Contest
from services.stats.rollups import roll_up
from tests.contests.data import conversion, join, make_contest, messenger_partner
from tests.fakes.stats_data import add_clicks, add_link, add_offer, add_partner

MSK = "Europe/Moscow"
# "2026-02-01 2026-02-28" in Moscow (UTC+3): [Jan 31 21:00 UTC, Feb 28 21:00 UTC)
START, END = (datetime.fromisoformat(v) for v in rules.parse_period("2026-02-01 2026-02-28", MSK))


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


async def _ranked(deps, contest_id: int, cutoff: datetime | None = None) -> list[tuple[int, int, Decimal]]:
    async with deps.uow(readonly=True) as uow:
        contest = await uow.session.get(Contest, contest_id)
        found = await standings.compute(uow, contest, cutoff or deps.clock.now())
    return [(s.place, s.partner_id, s.value) for s in found]


def test_period_is_read_in_the_program_zone_with_whole_end_days_and_dst():
    assert (START, END) == (utc(2026, 1, 31, 21), utc(2026, 2, 28, 21))
    # Berlin springs forward on 2026-03-29: that day has 23 hours, and the period follows the wall clock.
    start, end = rules.parse_period("2026-03-29 2026-03-29", "Europe/Berlin")
    assert (start, end) == ("2026-03-28T23:00:00+00:00", "2026-03-29T22:00:00+00:00")
    assert rules.parse_period("2026-02-01 10:00 2026-02-03 18:30", MSK) == [
        "2026-02-01T07:00:00+00:00", "2026-02-03T15:30:00+00:00"]


async def test_conversions_ties_exclusions_boundaries_and_offers(deps, clock):
    clock.current = utc(2026, 3, 1, 12)
    shop, other = await add_offer(deps), await add_offer(deps, name="Other")
    a, b, c, d, blocked = [await add_partner(deps) for _ in range(5)]
    # A and B both reach 3; B got there first (Feb 8 < Feb 10), so B is ahead.
    for at in (utc(2026, 2, 2), utc(2026, 2, 5), utc(2026, 2, 10)):
        await conversion(deps, a, shop, at)
    for at in (utc(2026, 2, 1), utc(2026, 2, 3), utc(2026, 2, 8)):
        await conversion(deps, b, shop, at)
    # C: 2 count — one at the very start (Feb 1 00:00 Moscow) and one cleared on review.
    await conversion(deps, c, shop, START)
    await conversion(deps, c, shop, utc(2026, 2, 4), review="cleared")
    await conversion(deps, c, shop, utc(2026, 2, 4), review="pending")  # still flagged
    await conversion(deps, c, shop, utc(2026, 2, 4), status="rejected")
    await conversion(deps, c, shop, utc(2026, 2, 4), status="refunded")
    await conversion(deps, c, shop, utc(2026, 2, 4), status="pending")
    await conversion(deps, c, shop, utc(2026, 2, 4), payable=False)  # outside its attribution window
    await conversion(deps, c, shop, START - timedelta(seconds=1))  # Jan 31 23:59:59 Moscow
    await conversion(deps, c, shop, END)  # Mar 1 00:00 Moscow: the end is exclusive
    for day in range(1, 6):  # D: 5, but on another offer
        await conversion(deps, d, other, utc(2026, 2, day + 10))
    for day in range(1, 9):
        await conversion(deps, blocked, shop, utc(2026, 2, day + 10))
    async with deps.uow() as uow:
        await uow.partners.move_status(blocked, ("approved",), "blocked")
        await uow.commit()

    only_shop = await make_contest(deps, START, END, offers=[shop])
    assert await _ranked(deps, only_shop) == [(1, b, 3), (2, a, 3), (3, c, 2)]
    every_offer = await make_contest(deps, START, END)
    assert await _ranked(deps, every_offer) == [(1, d, 5), (2, b, 3), (3, a, 3), (4, c, 2)]


async def test_revenue_counts_one_currency_and_opt_in_lists_entrants(deps, clock):
    clock.current = utc(2026, 3, 1, 12)
    shop = await add_offer(deps)
    a, b, c = [await add_partner(deps) for _ in range(3)]
    await conversion(deps, a, shop, utc(2026, 2, 2), sale="1000.50")
    await conversion(deps, a, shop, utc(2026, 2, 3), sale="99.50")
    await conversion(deps, b, shop, utc(2026, 2, 2), sale="1100.00")  # the same 1100.00, reached on Feb 2: first
    await conversion(deps, b, shop, utc(2026, 2, 4), sale="5000", currency="USD")  # another currency
    await conversion(deps, c, shop, utc(2026, 2, 2), sale="10", status="refunded")
    revenue = await make_contest(deps, START, END, metric="revenue", currency="RUB")
    assert await _ranked(deps, revenue) == [(1, b, Decimal("1100.0000")), (2, a, Decimal("1100.0000"))]
    opt_in = await make_contest(deps, START, END, metric="revenue", currency="RUB", opt_in=True)
    await join(deps, opt_in, c, utc(2026, 2, 1))
    await join(deps, opt_in, b, utc(2026, 2, 1))
    # Only entrants; C joined with nothing counted and still appears, last.
    assert await _ranked(deps, opt_in) == [(1, b, Decimal("1100.0000")), (2, c, Decimal("0.0000"))]


async def test_unique_clicks_agree_before_and_after_the_rollup(deps, clock):
    shop = await add_offer(deps)
    a, b = await add_partner(deps), await add_partner(deps)
    la, lb = await add_link(deps, a, shop), await add_link(deps, b, shop)
    start, end = utc(2026, 2, 1, 10, 30), utc(2026, 2, 1, 15, 30)  # half-hour ends: partial hours read raw
    await add_clicks(deps, la, [utc(2026, 2, 1, 10, 29), utc(2026, 2, 1, 10, 30), utc(2026, 2, 1, 11, 5),
                                utc(2026, 2, 1, 12, 0), utc(2026, 2, 1, 15, 29), utc(2026, 2, 1, 15, 30)],
                     unique=[True, True, True, False, True, True])
    await add_clicks(deps, lb, [utc(2026, 2, 1, 11, 0), utc(2026, 2, 1, 13, 59), utc(2026, 2, 1, 14, 0)])
    contest = await make_contest(deps, start, end, metric="clicks")
    clock.current = utc(2026, 2, 1, 16)
    # A: 10:30, 11:05, 15:29 unique = 3 (12:00 is not unique; 10:29 and 15:30 are outside); B: 3, reached earlier?
    # B's last counted click is 14:00, A's 15:29: B reached 3 first.
    expected = [(1, b, 3), (2, a, 3)]
    assert await _ranked(deps, contest) == expected
    clock.current = utc(2026, 2, 1, 20)
    assert await roll_up(deps) > 0
    assert [(p, pid, int(v)) for p, pid, v in await _ranked(deps, contest)] == [(1, b, 3), (2, a, 3)]


async def test_new_approved_subpartners(deps, clock):
    clock.current = utc(2026, 3, 1, 12)
    parent, other = await messenger_partner(deps, 501), await messenger_partner(deps, 502)
    for n, at in enumerate((utc(2026, 2, 3), utc(2026, 2, 20), utc(2026, 1, 20))):  # the last before the period
        await messenger_partner(deps, 600 + n, parent_id=parent, approved_at=at)
    await messenger_partner(deps, 610, parent_id=other, approved_at=utc(2026, 2, 4))
    await messenger_partner(deps, 611, parent_id=other, approved_at=utc(2026, 2, 5), status="applied")
    contest = await make_contest(deps, START, END, metric="subpartners")
    assert await _ranked(deps, contest) == [(1, parent, 2), (2, other, 1)]
