"""Payouts on SQLite and PostgreSQL: money reserved once under concurrency, the decision state machine, the
audit trail, notifications, chargebacks after a payout, scheduled payouts with the fake clock."""
from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update

from bot.config import Settings
from bot.scheduler import build_scheduler
from services.db.engine import make_engine, make_session_factory
from services.db.models import OutboxMessage
from services.db.payout_models import Payout, PayoutEvent
from services.db.tracking_models import Conversion
from services.db.uow import UnitOfWorkFactory
from services.kernel.deps import Deps
from services.kernel.dto import Incoming
from services.ledger import entries as ledger
from services.payouts import queries, service
from services.payouts.schedule import run_scheduled
from services.staff.roles import AccessDenied
from services.tracking import commissions
from tests.fakes.builders import add_sale
from tests.fakes.payouts import credit, give_details, make_partner

MANAGER, OTHER = Incoming("telegram", "900", "900"), Incoming("telegram", "901", "901")
VK_MANAGER = Incoming("vk", "800", "800")
ZERO = Decimal("0")


def _scheduler(services):
    container = SimpleNamespace(services=services, deps=services.deps, settings=Settings(_env_file=None))
    return build_scheduler(container)  # type: ignore[arg-type]


async def buckets(services, partner_id: int, currency: str = "RUB") -> dict[str, Decimal]:
    async with services.deps.uow(readonly=True) as uow:
        sums = (await ledger.balances(uow, partner_id)).get(currency, {})
    return {k: sums.get(k, ZERO) for k in ("available", "hold", "reserved", "paid")}


async def rows(services, model, *where):
    async with services.deps.uow(readonly=True) as uow:
        return (await uow.session.scalars(select(model).where(*where).order_by(model.id))).all()


async def test_twenty_parallel_requests_from_two_processes_reserve_the_money_once(services, db_url):
    partner = await make_partner(services)
    await credit(services, partner, "3000.00")
    await give_details(services, partner)
    # A second engine over the same database stands for a second bot process.
    other_engine = make_engine(db_url)
    other = dataclasses.replace(services.deps, uow=UnitOfWorkFactory(make_session_factory(other_engine)))
    try:
        results = await asyncio.gather(*(
            service.request(services.deps if i % 2 else other, partner, "RUB", Decimal("2000"),
                            actor=f"{'telegram' if i % 2 else 'vk'}:111") for i in range(20)))
    finally:
        await other_engine.dispose()
    outcomes = sorted(r.outcome for r in results)
    assert outcomes == ["insufficient"] * 19 + ["requested"]
    assert await buckets(services, partner) == {"available": Decimal("1000.0000"), "hold": ZERO,
                                                "reserved": Decimal("2000.0000"), "paid": ZERO}
    [payout] = await rows(services, Payout)
    assert (payout.amount, payout.status, payout.masked) == (Decimal("2000.0000"), "requested", "•••• 4242")

    # "Everything available", twenty times at once: the rest (1000) is reserved once as well.
    results = await asyncio.gather(*(service.request(services.deps, partner, "RUB", None, actor="telegram:111")
                                     for _ in range(20)))
    assert sorted(r.outcome for r in results) == ["insufficient"] * 19 + ["requested"]
    assert (await buckets(services, partner))["available"] == ZERO


async def test_decisions_move_once_and_are_audited_and_announced(services):
    partner = await make_partner(services)
    await credit(services, partner, "1500.00")
    await give_details(services, partner)
    first = await service.request(services.deps, partner, "RUB", Decimal("1000"), actor="telegram:111")
    assert first.outcome == "requested" and first.payout_id == 1

    assert (await service.decide(services.deps, MANAGER, 1, "pay", "TX-1")).outcome == "illegal"  # not approved
    with pytest.raises(AccessDenied):
        await service.decide(services.deps, Incoming("telegram", "111", "111"), 1, "approve")  # the partner
    with pytest.raises(AccessDenied):
        await service.decide(services.deps, Incoming("telegram", "902", "902"), 1, "approve")  # support only
    both = await asyncio.gather(service.decide(services.deps, MANAGER, 1, "approve"),
                                service.decide(services.deps, VK_MANAGER, 1, "approve"))
    assert sorted(r.outcome for r in both) == ["already_decided", "approved"]
    winner = next(r for r in both if r.outcome == "approved").decided_by
    assert next(r for r in both if r.outcome != "approved").decided_by == winner
    # Paid and rejected at once: one of them happens, and its money is booked once.
    racing = await asyncio.gather(service.decide(services.deps, MANAGER, 1, "pay", "TX-1"),
                                  service.decide(services.deps, OTHER, 1, "reject", "wrong card"))
    assert sorted(r.outcome for r in racing)[0] == "already_decided"
    [payout] = await rows(services, Payout)
    money = await buckets(services, partner)
    if payout.status == "paid":
        assert (payout.reference, money["paid"], money["available"]) == ("TX-1", Decimal("1000.0000"),
                                                                        Decimal("500.0000"))
    else:
        assert (payout.reason, money["paid"], money["available"]) == ("wrong card", ZERO, Decimal("1500.0000"))
    assert money["reserved"] == ZERO
    assert (await service.decide(services.deps, MANAGER, 1, "reject", "late")).outcome == "already_decided"
    assert (await service.decide(services.deps, MANAGER, 99, "approve")).outcome == "not_found"
    # A manager who is also a partner never decides on their own payout.
    own = await make_partner(services, 901, name="Manager Too")
    await credit(services, own, "1500.00")
    await give_details(services, own)
    mine = await service.request(services.deps, own, "RUB", None, actor="telegram:901")
    assert (await service.decide(services.deps, OTHER, mine.payout_id, "approve")).outcome == "own"
    assert (await service.decide(services.deps, MANAGER, mine.payout_id, "approve")).outcome == "approved"

    events = await rows(services, PayoutEvent, PayoutEvent.payout_id == 1)
    assert [(e.action, e.from_status, e.to_status) for e in events] == [
        ("request", None, "requested"), ("approve", "requested", "approved"),
        (("pay", "approved", "paid") if payout.status == "paid" else ("reject", "approved", "rejected"))]
    assert [e.actor for e in events][:2] == ["telegram:111", winner]
    assert all(e.created_at is not None for e in events)

    outbox = await rows(services, OutboxMessage, OutboxMessage.kind == "payout")
    to_partner = [m.screen["args"]["status"] for m in outbox if m.partner_id == partner]
    assert to_partner == ["approved", payout.status]
    staff = sorted((m.messenger, m.chat_id) for m in outbox if m.screen["text_key"] == "pam-new"
                   and m.screen["args"]["id"] == "1")
    assert staff == [("telegram", "900"), ("telegram", "901"), ("telegram", "903"), ("vk", "800")]
    assert all("4242424242424242" not in str(m.screen) for m in outbox)


async def test_rejection_returns_the_money(services):
    partner = await make_partner(services)
    await credit(services, partner, "1500.00")
    await give_details(services, partner, "crypto", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t")
    await service.request(services.deps, partner, "RUB", None, actor="telegram:111")
    assert (await buckets(services, partner))["available"] == ZERO
    result = await service.decide(services.deps, MANAGER, 1, "reject", "Wallet on a sanctions list")
    assert (result.outcome, result.status) == ("rejected", "rejected")
    assert await buckets(services, partner) == {"available": Decimal("1500.0000"), "hold": ZERO, "reserved": ZERO,
                                                "paid": ZERO}
    [note] = await rows(services, OutboxMessage, OutboxMessage.partner_id == partner)
    assert {k: note.screen["args"][k] for k in ("status", "reason", "masked")} == {
        "status": "rejected", "reason": "Wallet on a sanctions list", "masked": "•••• Lj6t"}


async def test_requests_are_refused_below_minimum_without_details_and_while_negative(services):
    partner = await make_partner(services)
    await credit(services, partner, "900.00")
    assert (await service.request(services.deps, partner, "RUB", None, actor="t")).outcome == "no_details"
    await give_details(services, partner)
    below = await service.request(services.deps, partner, "RUB", None, actor="t")
    assert (below.outcome, below.minimum, below.available) == ("below_minimum", Decimal("1000"), Decimal("900.0000"))
    await credit(services, partner, "30.00", "USD")
    assert (await service.request(services.deps, partner, "USD", Decimal("30"), actor="t")).outcome == "requested"
    assert (await service.request(services.deps, partner, "USD", Decimal("0.001"), actor="t")).outcome == \
        "insufficient"


async def test_a_chargeback_after_a_payout_makes_the_balance_negative_and_payouts_wait(services, clock):
    partner = await make_partner(services)
    await give_details(services, partner)
    await add_sale(services, partner, "5000.00")  # 1 500.00 commission on hold for 30 days
    clock.advance(days=31)
    assert await ledger.release_due(services.deps) == 1
    await service.request(services.deps, partner, "RUB", None, actor="telegram:111")
    await service.decide(services.deps, MANAGER, 1, "approve")
    await service.decide(services.deps, MANAGER, 1, "pay", "TX-9")
    await credit(services, partner, "100.00", "USD")
    async with services.deps.uow() as uow:  # the advertiser refunds the sale: the commission is taken back
        conversion = await uow.session.scalar(select(Conversion))
        await uow.session.execute(update(Conversion).values(status="refunded"))
        await uow.session.refresh(conversion)
        await commissions.apply_status_change(uow, services.deps, conversion, "approved", "refunded")
        await uow.commit()
    money = await buckets(services, partner)
    assert (money["available"], money["paid"]) == (Decimal("-1500.0000"), Decimal("1500.0000"))
    refused = await service.request(services.deps, partner, "USD", None, actor="telegram:111")
    assert refused.outcome == "negative_balance"  # even in another currency: the debt is settled first
    await credit(services, partner, "1600.00")
    assert (await service.request(services.deps, partner, "USD", None, actor="telegram:111")).outcome == "requested"


async def test_csv_and_queue_show_details_masked_only(services):
    partner = await make_partner(services)
    await credit(services, partner, "1500.00")
    await give_details(services, partner, "account", "DE89 3704 0044 0532 0130 00")
    await service.request(services.deps, partner, "RUB", None, actor="telegram:111")
    async with services.deps.uow(readonly=True) as uow:
        exported = await queries.export_csv(uow)
        [item] = await queries.queue(uow)
        card = await queries.card(uow, item.payout_id, services.deps.clock.now())
        stored = (await uow.session.scalars(select(Payout.cipher))).one()
    assert "•••• 3000" in exported and "DE89370400440532013000" not in exported
    assert exported.splitlines()[0] == ",".join(queries.CSV_COLUMNS)
    assert card is not None and card.payout.masked == "•••• 3000"
    assert "3704" not in stored and services.payouts.cipher.decrypt(stored) == "DE89370400440532013000"


async def test_scheduled_payouts_once_per_period_with_reminders(services, clock):
    services.deps.config = dataclasses.replace(services.deps.config, payout_schedule="monthly:1")
    scheduler = _scheduler(services)
    job = scheduler.get_job("payouts_scheduled")
    assert job is not None and str(job.trigger) == "cron[day='1', hour='9', minute='0']"
    ready = await make_partner(services, 111, name="Ready")
    bare = await make_partner(services, 112, name="No details")
    small = await make_partner(services, 113, name="Small")
    for partner, amount in ((ready, "1500.00"), (bare, "2000.00"), (small, "500.00")):
        await credit(services, partner, amount)
    await give_details(services, ready)
    await give_details(services, small)

    clock.current = datetime(2026, 2, 1, 9, 0, tzinfo=UTC)
    first = await run_scheduled(services.deps)
    assert (first.period, first.created, first.reminded) == ("2026-02-01T09:00", [1], [bare])
    clock.advance(hours=3)  # a second run in the same period (a restart, another process) adds nothing
    again = await run_scheduled(services.deps)
    assert (again.created, again.reminded) == ([], [])
    [payout] = await rows(services, Payout)
    assert (payout.partner_id, payout.amount, payout.source, payout.period) == (
        ready, Decimal("1500.0000"), "schedule", "2026-02-01T09:00")
    [event] = await rows(services, PayoutEvent, PayoutEvent.action == "request")
    assert event.actor == "schedule"
    notes = await rows(services, OutboxMessage, OutboxMessage.partner_id.is_not(None))
    assert sorted((m.partner_id, m.screen["text_key"]) for m in notes) == [
        (ready, "pay-notify"), (bare, "pay-remind-details")]
    staff = await rows(services, OutboxMessage, OutboxMessage.partner_id.is_(None))
    assert [(m.screen["text_key"], m.screen["args"]["count"]) for m in staff] == [("pam-scheduled", 1)] * 4

    await service.decide(services.deps, MANAGER, 1, "approve")
    await service.decide(services.deps, MANAGER, 1, "pay", "TX-1")
    await credit(services, ready, "1200.00")
    clock.current = datetime(2026, 3, 1, 9, 0, 30, tzinfo=UTC)
    march = await run_scheduled(services.deps)
    assert (march.period, march.created, march.reminded) == ("2026-03-01T09:00", [2], [bare])


async def test_schedule_off_does_nothing(services, clock):
    partner = await make_partner(services)
    await credit(services, partner, "1500.00")
    assert (await run_scheduled(services.deps)).created == []
    assert _scheduler(services).get_job("payouts_scheduled") is None
