"""A partner's leaderboard as data: own place, the gap to the place above, names only when chosen, the top 10;
live standings reused for LIVE_TTL and refreshed after it or when someone joins."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from services.contests import service
from services.db.contest_models import Contest
from tests.contests.data import conversion, make_contest, messenger_partner
from tests.contests.test_standings import END, START, utc
from tests.fakes.stats_data import add_offer


async def _board(deps, contest_id: int, partner_id: int | None) -> service.Board:
    async with deps.uow(readonly=True) as uow:
        contest = await uow.session.get(Contest, contest_id)
        return await service.board(uow, deps, contest, partner_id)


async def test_board_shows_place_gap_names_and_top_ten(deps, clock):
    clock.current = utc(2026, 2, 20)
    shop = await add_offer(deps)
    partners = [await messenger_partner(deps, 700 + n, name=f"P{n}", public_name=n == 0) for n in range(12)]
    for n, partner in enumerate(partners):  # P0 has 12 conversions, P1 11, …, P11 1
        for i in range(12 - n):
            await conversion(deps, partner, shop, utc(2026, 2, 1 + i, n))
    contest = await make_contest(deps, START, END)
    board = await _board(deps, contest, partners[11])
    assert [(line.place, line.name, int(line.value), line.me) for line in board.lines[:2]] == [
        (1, "P0", 12, False), (2, None, 11, False)]
    assert len(board.lines) == 10 and board.participants == 12
    assert (board.mine.place, board.mine.value, board.gap) == (12, Decimal("1.0000"), Decimal("1.0000"))
    leader = await _board(deps, contest, partners[0])
    assert leader.mine.place == 1 and leader.gap is None and leader.lines[0].me
    outsider = await _board(deps, contest, None)
    assert outsider.mine is None and not any(line.me for line in outsider.lines)


async def test_live_standings_are_reused_briefly_and_refreshed_on_join(deps, clock):
    clock.current = utc(2026, 2, 20)
    shop = await add_offer(deps)
    a, b = await messenger_partner(deps, 801), await messenger_partner(deps, 802)
    await conversion(deps, a, shop, utc(2026, 2, 2))
    contest = await make_contest(deps, START, END, opt_in=True)
    assert await service.join(deps, a, contest) == "joined"
    assert [line.partner_id for line in (await _board(deps, contest, a)).lines] == [a]
    await conversion(deps, a, shop, utc(2026, 2, 3))
    clock.advance(seconds=10)
    assert (await _board(deps, contest, a)).mine.value == 1  # the same computation, 10 s old
    assert await service.join(deps, b, contest) == "joined"
    assert await service.join(deps, b, contest) == "already"
    refreshed = await _board(deps, contest, b)  # joining dropped it: b is listed at once
    assert [(line.partner_id, int(line.value)) for line in refreshed.lines] == [(a, 2), (b, 0)]
    await conversion(deps, b, shop, utc(2026, 2, 4))
    await conversion(deps, b, shop, utc(2026, 2, 5))
    clock.advance(seconds=service.LIVE_TTL.total_seconds())
    assert [line.partner_id for line in (await _board(deps, contest, b)).lines] == [a, b]  # tie: a was first
    await conversion(deps, b, shop, utc(2026, 2, 6))
    clock.advance(seconds=30)
    assert [line.partner_id for line in (await _board(deps, contest, b)).lines] == [b, a]
    clock.current = END + timedelta(days=1)
    async with deps.uow() as uow:
        (await uow.session.get(Contest, contest)).status = "finished"
        await uow.commit()
    assert await service.join(deps, a, contest) == "closed"
