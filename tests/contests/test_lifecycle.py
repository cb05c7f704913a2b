"""The contest clock and the money (SQLite and PostgreSQL): states move with a fake clock at the program-zone
boundaries; late postbacks count only until the settle moment, even when the job runs late; prizes are
credited exactly once across a restart, a double tap and two concurrent confirmations; podium notices at most
once an hour; announcements skip partners who muted contests."""
from __future__ import annotations

import asyncio
from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.app import Services
from services.contests import lifecycle, service
from services.db.contest_models import Contest, ContestResult
from services.db.models import OutboxMessage
from services.db.tracking_models import LedgerEntry, NotificationMute
from services.kernel.dto import Incoming
from services.staff.roles import AccessDenied
from tests.contests.data import conversion, make_contest, messenger_partner, set_status
from tests.contests.test_standings import END, START, utc
from tests.fakes.stats_data import add_offer

TG_MANAGER = Incoming("telegram", "900", "900")
VK_MANAGER = Incoming("vk", "800", "800")
SETTLE = timedelta(hours=48)  # ProgramConfig's default CONTEST_SETTLE_HOURS


async def _status(deps, contest_id: int) -> str:
    async with deps.uow(readonly=True) as uow:
        return (await uow.session.get(Contest, contest_id)).status


async def _outbox(deps, text_key: str) -> list[OutboxMessage]:
    async with deps.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))).all()
    return [r for r in rows if r.screen["text_key"] == text_key]


async def _bonuses(deps) -> list[tuple[str, int, Decimal, str]]:
    async with deps.uow(readonly=True) as uow:
        rows = (await uow.session.scalars(select(LedgerEntry).where(LedgerEntry.kind == "bonus")
                                          .order_by(LedgerEntry.entry_key))).all()
    return [(r.entry_key, r.partner_id, r.amount, r.bucket) for r in rows]


async def _settled_contest(services, clock) -> tuple[int, list[int]]:
    """A finished contest, settled by the job: winners a (2 conversions), b (1), c (1, later)."""
    deps = services.deps
    clock.current = utc(2026, 2, 20)
    shop = await add_offer(deps)
    a, b, c = [await messenger_partner(deps, 100 + n) for n in range(3)]
    for at in (utc(2026, 2, 2), utc(2026, 2, 3)):
        await conversion(deps, a, shop, at)
    await conversion(deps, b, shop, utc(2026, 2, 4))
    await conversion(deps, c, shop, utc(2026, 2, 5))
    contest = await make_contest(deps, START, END, status="finished")
    clock.current = END + SETTLE
    assert (await lifecycle.advance(deps))["settled"] == 1
    return contest, [a, b, c]


async def test_states_follow_the_clock_and_late_postbacks_count_until_settle(services, clock):
    deps = services.deps
    shop = await add_offer(deps)
    a, b, c = [await messenger_partner(deps, 200 + n) for n in range(3)]
    clock.current = START - timedelta(days=3)
    contest = await make_contest(deps, START, END, status="announced")
    clock.current = START - timedelta(seconds=1)  # Jan 31 23:59:59 in Moscow
    assert (await lifecycle.advance(deps))["running"] == 0
    clock.current = START
    assert (await lifecycle.advance(deps))["running"] == 1
    assert await _status(deps, contest) == "running"
    await conversion(deps, a, shop, utc(2026, 2, 5))
    late_ok = await conversion(deps, b, shop, utc(2026, 2, 27), status="pending")
    too_late = await conversion(deps, c, shop, utc(2026, 2, 27, 1), status="pending")
    await conversion(deps, c, shop, END + timedelta(hours=1))  # made after the end: never counts
    await conversion(deps, c, shop, END + timedelta(hours=2))
    clock.current = END - timedelta(seconds=1)
    assert (await lifecycle.advance(deps))["finished"] == 0
    clock.current = END
    assert (await lifecycle.advance(deps))["finished"] == 1
    clock.current = END + SETTLE - timedelta(hours=1)
    await set_status(deps, late_ok, "approved", clock.current)  # a late postback inside the settle delay
    assert (await lifecycle.advance(deps))["settled"] == 0
    assert await _status(deps, contest) == "finished"
    # The job was down for two hours; meanwhile a postback arrived after the settle moment: it does not count.
    await set_status(deps, too_late, "approved", END + SETTLE + timedelta(minutes=30))
    clock.current = END + SETTLE + timedelta(hours=2)
    assert (await lifecycle.advance(deps))["settled"] == 1
    async with deps.uow(readonly=True) as uow:
        results = (await uow.session.scalars(select(ContestResult).where(ContestResult.contest_id == contest)
                                             .order_by(ContestResult.place))).all()
    assert [(r.place, r.partner_id, int(r.value)) for r in results] == [(1, a, 1), (2, b, 1)]
    settled = await _outbox(deps, "cta-settled")
    assert {(m.messenger, m.chat_id) for m in settled} >= {("telegram", "900"), ("vk", "800")}
    assert f"1. #{a} — 1 → 5 000.00 RUB" in settled[0].screen["args"]["winners"]
    assert await lifecycle.advance(deps) == {"running": 0, "finished": 0, "settled": 0, "podium": 0}
    assert len(await _outbox(deps, "cta-settled")) == len(settled)


async def test_prizes_credited_once_across_a_restart_and_a_double_tap(services, clock):
    deps = services.deps
    contest, (a, b, c) = await _settled_contest(services, clock)
    with pytest.raises(AccessDenied):
        await service.confirm(deps, Incoming("telegram", str(100), "100"), contest)  # a partner, not a manager
    assert await service.confirm(deps, TG_MANAGER, contest) == ("awarded", "telegram:900")
    expected = [(f"contest:{contest}:place:1", a, Decimal("5000"), "available"),
                (f"contest:{contest}:place:2", b, Decimal("2000"), "available")]
    assert await _bonuses(deps) == expected
    assert await service.confirm(deps, TG_MANAGER, contest) == ("already", "telegram:900")  # double tap
    restarted = Services(deps)  # a new process over the same database
    assert await service.confirm(restarted.deps, VK_MANAGER, contest) == ("already", "telegram:900")
    assert await _bonuses(deps) == expected
    won = await _outbox(deps, "ct-won")
    assert sorted((m.kind, m.partner_id, m.screen["args"]["place"]) for m in won) == [
        ("contest_prize", a, 1), ("contest_prize", b, 2), ("contest_prize", c, 3)]
    assert won[2].screen["args"]["money"] == "no" and won[2].screen["args"]["prize"] == "Headphones"
    async with deps.uow(readonly=True) as uow:
        from services.ledger.entries import balance
        assert (await balance(uow, a, "RUB"))["available"] == Decimal("5000")
    # Results once, to every ranked participant.
    assert await service.send_results(deps, TG_MANAGER, contest) == "sent"
    assert await service.send_results(deps, VK_MANAGER, contest) == "already"
    assert sorted(m.partner_id for m in await _outbox(deps, "ct-results")) == sorted([a, b, c])


async def test_two_managers_confirming_at_once_pay_once(services, clock):
    deps = services.deps
    contest, (a, b, _) = await _settled_contest(services, clock)
    other = Services(deps)  # the second confirmation comes from another process
    outcomes = await asyncio.gather(service.confirm(deps, TG_MANAGER, contest),
                                    service.confirm(other.deps, VK_MANAGER, contest))
    assert sorted(o for o, _ in outcomes) == ["already", "awarded"]
    assert [(key, pid) for key, pid, *_ in await _bonuses(deps)] == [
        (f"contest:{contest}:place:1", a), (f"contest:{contest}:place:2", b)]
    assert len(await _outbox(deps, "ct-won")) == 3


async def test_a_manager_among_the_winners_leaves_the_confirmation_to_another(services, clock):
    deps = services.deps
    contest, (a, *_) = await _settled_contest(services, clock)
    async with deps.uow() as uow:  # the manager's Telegram account belongs to the winner
        account = await uow.accounts.get("telegram", "100")
        account.external_id = "901"
        await uow.commit()
    assert await service.confirm(deps, Incoming("telegram", "901", "901"), contest) == ("own", None)
    assert await _bonuses(deps) == []
    assert (await service.confirm(deps, TG_MANAGER, contest))[0] == "awarded"


async def test_podium_notices_at_most_once_an_hour(services, clock):
    deps = services.deps
    shop = await add_offer(deps)
    p = [await messenger_partner(deps, 300 + n) for n in range(4)]
    clock.current = utc(2026, 2, 10)
    contest = await make_contest(deps, START, END)
    for n, count in enumerate((3, 2, 1)):
        for i in range(count):
            await conversion(deps, p[n], shop, utc(2026, 2, 2 + i, n))
    assert (await lifecycle.advance(deps))["podium"] == 3  # three entered the top 3
    entered = await _outbox(deps, "ct-podium")
    assert sorted((m.partner_id, m.screen["args"]["event"], m.screen["args"]["place"]) for m in entered) == [
        (p[0], "entered", 1), (p[1], "entered", 2), (p[2], "entered", 3)]
    assert all(m.kind == "contest" for m in entered)
    clock.advance(minutes=20)
    for i in range(4):  # p3 overtakes everybody: p2 drops off, but was told 20 minutes ago
        await conversion(deps, p[3], shop, utc(2026, 2, 9, i))
    assert (await lifecycle.advance(deps))["podium"] == 1  # p3 entered; p0, p1 moved down, p2 waits
    news = [(m.partner_id, m.screen["args"]["event"]) for m in (await _outbox(deps, "ct-podium"))[3:]]
    assert news == [(p[3], "entered")]
    clock.advance(minutes=41)
    assert (await lifecycle.advance(deps))["podium"] == 3  # an hour on: the losses are told
    news = sorted((m.partner_id, m.screen["args"]["event"], m.screen["args"]["old"], m.screen["args"]["place"])
                  for m in (await _outbox(deps, "ct-podium"))[4:])
    assert news == [(p[0], "lost", 1, 2), (p[1], "lost", 2, 3), (p[2], "lost", 3, 0)]
    assert (await lifecycle.advance(deps))["podium"] == 0


async def test_announce_skips_muted_partners_and_happens_once(services, clock):
    deps = services.deps
    clock.current = utc(2026, 1, 20)
    listening, muted = await messenger_partner(deps, 401), await messenger_partner(deps, 402)
    async with deps.uow() as uow:
        uow.session.add(NotificationMute(partner_id=muted, kind="contest", created_at=clock.now()))
        await uow.commit()
    contest = await make_contest(deps, START, END, status="draft")
    with pytest.raises(AccessDenied):
        await service.announce(deps, Incoming("telegram", "401", "401"), contest)
    assert await service.announce(deps, TG_MANAGER, contest) == "announced"
    assert await service.announce(deps, VK_MANAGER, contest) == "already"
    assert [m.partner_id for m in await _outbox(deps, "ct-announce")] == [listening]
    assert await _status(deps, contest) == "announced"
    ended = await make_contest(deps, utc(2026, 1, 1), utc(2026, 1, 10), status="draft")
    assert await service.announce(deps, TG_MANAGER, ended) == "ended"


async def test_entrants_with_nothing_yet_are_not_on_the_podium(services, clock):
    deps = services.deps
    clock.current = utc(2026, 2, 10)
    a, b = await messenger_partner(deps, 451), await messenger_partner(deps, 452)
    contest = await make_contest(deps, START, END, opt_in=True)
    for partner in (a, b):
        assert await service.join(deps, partner, contest) == "joined"
    assert (await lifecycle.advance(deps))["podium"] == 0
    await conversion(deps, b, await add_offer(deps), utc(2026, 2, 3))
    clock.advance(minutes=1)
    assert (await lifecycle.advance(deps))["podium"] == 1
    assert [(m.partner_id, m.screen["args"]["place"]) for m in await _outbox(deps, "ct-podium")] == [(b, 1)]
