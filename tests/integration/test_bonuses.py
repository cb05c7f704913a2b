"""Milestone bonuses against hand-computed fixtures: steps credited once per partner and month, held, released,
clawed back on refunds; what counts (approved, payable, not under review; the month in the program's zone);
two concurrent runs — on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
import itertools
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from services.bonuses import awards
from services.db.bonus_models import BonusAward, BonusRule
from services.db.models import OutboxMessage
from services.db.tracking_models import Conversion, LedgerEntry, Offer
from services.ledger import entries as ledger
from tests.fakes.payouts import make_partner

_n = itertools.count(1)
DEC_10 = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)


async def _offer(services, hold_days: int = 14) -> int:
    async with services.deps.uow() as uow:
        offer = Offer(name="Shop", target_url="https://shop.example.com", payout_model="cpa", cpa_amount=Decimal("100"),
                      currency="RUB", hold_days=hold_days, attribution_days=30, l2_percent=Decimal("0"),
                      status="active", created_at=services.deps.clock.now())
        uow.session.add(offer)
        await uow.commit()
        return offer.id


async def _rule(services, threshold: str, amount: str, *, metric: str = "conversions", offer_id: int | None = None,
                currency: str = "RUB") -> int:
    async with services.deps.uow() as uow:
        rule = BonusRule(offer_id=offer_id, metric=metric, threshold=Decimal(threshold), amount=Decimal(amount),
                         currency=currency, active=True, created_by="telegram:900", created_at=services.deps.clock.now())
        uow.session.add(rule)
        await uow.commit()
        return rule.id


async def _conversions(services, partner: int, offer: int, count: int, *, at: datetime, status: str = "approved",
                       sale: str = "1000", review: str | None = None, payable: bool = True) -> list[int]:
    ids = []
    async with services.deps.uow() as uow:
        for _ in range(count):
            row = Conversion(idempotency_key=f"b:{next(_n)}", partner_id=partner, offer_id=offer, goal="default",
                             status=status, sale_amount=Decimal(sale), commission=Decimal("100"), currency="RUB",
                             payable=payable, review=review, created_at=at, updated_at=at)
            uow.session.add(row)
            await uow.session.flush()
            ids.append(row.id)
        await uow.commit()
    return ids


async def _bonus_money(services, partner: int) -> tuple[Decimal, Decimal]:
    async with services.deps.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(LedgerEntry.bucket, LedgerEntry.amount).where(
            LedgerEntry.partner_id == partner, LedgerEntry.entry_key.like("bonus:%")))).all()
    hold = sum((a for b, a in rows if b == ledger.HOLD), Decimal(0))
    available = sum((a for b, a in rows if b == ledger.AVAILABLE), Decimal(0))
    return hold, available


async def _told(services, partner_chat: str) -> list[str]:
    async with services.deps.uow(readonly=True) as uow:
        return list((await uow.session.scalars(select(OutboxMessage.screen).where(
            OutboxMessage.chat_id == partner_chat, OutboxMessage.kind == "bonus").order_by(OutboxMessage.id))).all())


async def test_ladder_paid_once_per_step_held_then_released(services, clock):
    clock.current = DEC_10
    offer = await _offer(services, hold_days=14)
    partner = await make_partner(services, 111)
    await _rule(services, "10", "500")
    await _rule(services, "50", "3000")
    await _conversions(services, partner, offer, 9, at=DEC_10 - timedelta(days=2))
    assert (await awards.evaluate(services.deps)).awarded == []  # 9 < 10
    await _conversions(services, partner, offer, 3, at=DEC_10 - timedelta(days=1))
    first = await awards.evaluate(services.deps)
    again = await awards.evaluate(services.deps)  # a rerun (or a restart) pays nothing twice
    assert len(first.awarded) == 1 and again.awarded == [] and again.clawed == []
    assert await _bonus_money(services, partner) == (Decimal("500.0000"), Decimal(0))
    assert [s["text_key"] for s in await _told(services, "111")] == ["bonus-reached"]

    await _conversions(services, partner, offer, 38, at=DEC_10)  # 50 exactly
    assert len((await awards.evaluate(services.deps)).awarded) == 1
    assert await _bonus_money(services, partner) == (Decimal("3500.0000"), Decimal(0))

    clock.advance(days=29)  # a program-wide plan holds BONUS_HOLD_DAYS (30); an offer's plan, the offer's hold
    assert await awards.release_due(services.deps) == 0
    clock.advance(days=1, minutes=1)
    assert await awards.release_due(services.deps) == 2
    assert await awards.release_due(services.deps) == 0
    assert await _bonus_money(services, partner) == (Decimal(0), Decimal("3500.0000"))


async def test_what_counts_and_the_month_in_the_program_zone(services, clock):
    clock.current = DEC_10
    offer = await _offer(services)
    other_offer = await _offer(services)
    partner = await make_partner(services, 111)
    await _rule(services, "5", "100", offer_id=offer)
    not_counted = [
        dict(status="rejected"), dict(status="refunded"), dict(status="pending"), dict(review="pending"),
        dict(payable=False),
    ]
    for extra in not_counted:
        await _conversions(services, partner, offer, 1, at=DEC_10, **extra)
    await _conversions(services, partner, other_offer, 3, at=DEC_10)  # another offer's plan
    # 2026-11-30 21:30 UTC is already December 1st in Moscow (UTC+3): December; 20:59 UTC is still November.
    await _conversions(services, partner, offer, 2, at=datetime(2026, 11, 30, 21, 30, tzinfo=UTC))
    await _conversions(services, partner, offer, 1, at=datetime(2026, 11, 30, 20, 59, tzinfo=UTC))
    await _conversions(services, partner, offer, 1, at=DEC_10, review="cleared")  # cleared on review: counts
    assert (await awards.evaluate(services.deps)).awarded == []  # December: 2 + 1 = 3 of 5
    await _conversions(services, partner, offer, 2, at=DEC_10)
    assert len((await awards.evaluate(services.deps)).awarded) == 1
    async with services.deps.uow(readonly=True) as uow:
        award = await uow.session.scalar(select(BonusAward))
    assert (award.period, award.figure) == ("2026-12", Decimal("5.0000"))


async def test_refund_claws_back_from_hold_then_from_available(services, clock):
    clock.current = DEC_10
    offer = await _offer(services, hold_days=7)
    partner = await make_partner(services, 111)
    await _rule(services, "3000", "250", metric="revenue", offer_id=offer)  # held as the offer: 7 days
    ids = await _conversions(services, partner, offer, 3, at=DEC_10, sale="1000")
    await awards.evaluate(services.deps)
    async with services.deps.uow() as uow:
        await uow.session.execute(update(Conversion).where(Conversion.id == ids[0]).values(status="refunded"))
        await uow.commit()
    assert len((await awards.evaluate(services.deps)).clawed) == 1
    assert await _bonus_money(services, partner) == (Decimal(0), Decimal(0))
    texts = [s["text_key"] for s in await _told(services, "111")]
    assert texts == ["bonus-reached", "bonus-clawed"]

    await _conversions(services, partner, offer, 1, at=DEC_10, sale="1500")  # back above: the step again (round 2)
    assert len((await awards.evaluate(services.deps)).awarded) == 1
    clock.advance(days=8)
    assert await awards.release_due(services.deps) == 1
    async with services.deps.uow() as uow:
        await uow.session.execute(update(Conversion).where(Conversion.id == ids[1]).values(status="refunded"))
        await uow.commit()
    # December is now last month: a refund of its conversion still claws December's step back, from available.
    assert len((await awards.evaluate(services.deps)).clawed) == 1
    assert await _bonus_money(services, partner) == (Decimal(0), Decimal(0))
    async with services.deps.uow(readonly=True) as uow:
        award = await uow.session.scalar(select(BonusAward))
        keys = (await uow.session.scalars(select(LedgerEntry.entry_key).where(
            LedgerEntry.entry_key.like("bonus:%")).order_by(LedgerEntry.id))).all()
    assert (award.status, award.round, award.claw_reason) == ("clawed_back", 2, "2500 < 3000")
    assert keys == [f"bonus:{award.id}:1:award", f"bonus:{award.id}:1:clawback", f"bonus:{award.id}:2:award",
                    f"bonus:{award.id}:2:release:hold", f"bonus:{award.id}:2:release:available",
                    f"bonus:{award.id}:2:clawback"]


async def test_concurrent_runs_credit_each_step_once(services, clock):
    clock.current = DEC_10
    offer = await _offer(services)
    partners = [await make_partner(services, 200 + i) for i in range(4)]
    await _rule(services, "2", "100")
    for partner in partners:
        await _conversions(services, partner, offer, 2, at=DEC_10)

    async def run() -> list[int]:
        for _ in range(30):  # SQLite under contention: "database is locked" → the scheduler's next run retries
            try:
                return (await awards.evaluate(services.deps)).awarded
            except Exception as exc:  # noqa: BLE001
                if "locked" not in str(exc):
                    raise
                await asyncio.sleep(0)
        raise AssertionError("never ran")

    results = await asyncio.gather(run(), run(), run())
    awarded = list(itertools.chain(*results))
    assert len(awarded) == len(set(awarded)) == 4  # ids may skip: PostgreSQL spends a sequence value on a loser
    async with services.deps.uow(readonly=True) as uow:
        entries = (await uow.session.scalars(select(LedgerEntry.entry_key).where(
            LedgerEntry.entry_key.like("bonus:%")))).all()
    assert len(entries) == 4 and len(set(entries)) == 4
