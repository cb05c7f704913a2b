"""Adjustments under concurrency, without the per-person lock (two processes, two admins): one decision, one
ledger entry — on SQLite and PostgreSQL."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import func, select

from services.adjustments import service
from services.db.adjustment_models import BalanceAdjustment
from services.db.tracking_models import LedgerEntry
from services.db.uow import UnitOfWork
from services.kernel.dto import Incoming
from tests.fakes.payouts import make_partner


def who(user: str) -> Incoming:
    return Incoming(messenger="telegram", user_id=user, chat_id=user)


async def _in_uow(services, call):
    for _ in range(20):  # SQLite: "database is locked" under contention is retried, as the adapters' callers do
        try:
            async with services.deps.uow() as uow:
                result = await call(uow)
                await uow.commit()
                return result
        except Exception as exc:  # noqa: BLE001
            if "locked" not in str(exc) and "could not serialize" not in str(exc):
                raise
            await asyncio.sleep(0)
    raise AssertionError("never got the lock")


async def _money(services) -> list[Decimal]:
    async with services.deps.uow(readonly=True) as uow:
        return list((await uow.session.scalars(select(LedgerEntry.amount).where(
            LedgerEntry.kind == "adjustment"))).all())


async def test_two_concurrent_confirmations_apply_once(services):
    partner = await make_partner(services, 111)
    manager = who("900")

    async def draft(uow: UnitOfWork):
        return await service.draft(uow, services.deps, manager, partner, Decimal("250"), "RUB", "Бонус")

    made = await _in_uow(services, draft)
    results = await asyncio.gather(*(_in_uow(services, lambda uow: service.confirm(
        uow, services.deps, manager, made.adjustment_id)) for _ in range(5)))
    assert sorted(r.outcome for r in results) == ["already_decided"] * 4 + ["applied"]
    assert await _money(services) == [Decimal("250.0000")]


async def test_two_admins_approving_at_once_make_one_decision(services):
    await services.seed_staff([("telegram", "903", "admin"), ("telegram", "904", "admin"),
                               ("telegram", "900", "manager")])
    partner = await make_partner(services, 111)
    manager = who("900")
    made = await _in_uow(services, lambda uow: service.draft(uow, services.deps, manager, partner,
                                                            Decimal("-9000"), "RUB", "Chargeback"))
    assert (await _in_uow(services, lambda uow: service.confirm(uow, services.deps, manager,
                                                              made.adjustment_id))).outcome == "pending"
    results = await asyncio.gather(
        _in_uow(services, lambda uow: service.decide(uow, services.deps, who("903"), made.adjustment_id, True)),
        _in_uow(services, lambda uow: service.decide(uow, services.deps, who("904"), made.adjustment_id, False)))
    outcomes = sorted(r.outcome for r in results)
    assert outcomes in (["already_decided", "applied"], ["already_decided", "rejected"])
    applied = "applied" in outcomes
    assert await _money(services) == ([Decimal("-9000.0000")] if applied else [])
    async with services.deps.uow(readonly=True) as uow:
        assert await uow.session.scalar(select(func.count()).select_from(BalanceAdjustment)) == 1
        assert (await uow.session.get(BalanceAdjustment, made.adjustment_id)).status == (
            "applied" if applied else "rejected")


async def test_limit_history_is_kept_and_the_newest_wins(services):
    admin = who("903")
    for amount in ("1000", "0", "250"):
        await _in_uow(services, lambda uow, a=amount: service.set_limit(uow, services.deps, admin, "RUB", Decimal(a)))
    async with services.deps.uow(readonly=True) as uow:
        assert await service.limit_for(uow, services.deps, "RUB") == Decimal("250")
        assert await service.limit_for(uow, services.deps, "USD") == Decimal("100")  # the setting's default
        assert await service.limit_for(uow, services.deps, "KZT") == Decimal("0")  # not listed: always an admin
