"""Manual balance adjustments through Telegram: the two steps, the manager's limit and an admin's approval, bad
input, own balance, and who may do what — the money is one ledger entry per adjustment, whatever is pressed twice."""
from __future__ import annotations

import asyncio
from decimal import Decimal

from sqlalchemy import select

from services.db.adjustment_models import BalanceAdjustment
from services.db.models import OutboxMessage
from services.db.tracking_models import LedgerEntry
from services.ledger import entries as ledger
from tests.fakes.payouts import credit, make_partner
from tests.fakes.tg_harness import TelegramHarness

PARTNER, MANAGER, OTHER_MANAGER, ADMIN = 111, 900, 901, 903


async def _entries(services) -> list[tuple[str, str, Decimal, str]]:
    async with services.deps.uow(readonly=True) as uow:
        rows = (await uow.session.execute(select(LedgerEntry.entry_key, LedgerEntry.kind, LedgerEntry.amount,
                                                 LedgerEntry.bucket).where(LedgerEntry.kind == "adjustment")
                                          .order_by(LedgerEntry.id))).all()
    return [tuple(r) for r in rows]


async def _outbox(services, kind: str = "adjustment") -> list[OutboxMessage]:
    async with services.deps.uow(readonly=True) as uow:
        return list((await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == kind)
                                               .order_by(OutboxMessage.id))).all())


async def _type_adjustment(tg: TelegramHarness, who: int, partner: int, amount: str, reason: str) -> None:
    await tg.press(who, "adj:new")
    await tg.send(who, f"#{partner}")
    await tg.send(who, amount)
    await tg.send(who, reason)


async def test_credit_within_the_limit_is_applied_once_and_told(services):
    partner = await make_partner(services, PARTNER)
    await credit(services, partner, "100.00")
    tg = TelegramHarness(services)

    await tg.send(MANAGER, "/admin")
    assert "adj:home" in tg.buttons(MANAGER)
    await tg.press(MANAGER, "adj:home")
    assert "Корректировки баланса" in tg.last(MANAGER).text
    await _type_adjustment(tg, MANAGER, partner, "+1 500", "Бонус за вебинар")
    confirm = tg.last(MANAGER).text
    assert "+1 500.00 RUB" in confirm and "100.00 RUB → станет: 1 600.00 RUB" in confirm
    assert "Проводится сразу" in confirm
    assert tg.buttons(MANAGER) == ["adj:ok:1", "adj:no:1"]
    assert await _entries(services) == []  # the first step moves no money

    await asyncio.gather(tg.press(MANAGER, "adj:ok:1"), tg.press(MANAGER, "adj:ok:1"))  # a double tap
    assert any("✅ Проведена" in t for t in tg.texts(MANAGER))
    assert tg.toasts()[-1] is not None and "Уже решено" in tg.toasts()[-1]
    assert await _entries(services) == [("adj:1", "adjustment", Decimal("1500.0000"), "available")]
    async with services.deps.uow(readonly=True) as uow:
        assert (await ledger.balance(uow, partner, "RUB"))[ledger.AVAILABLE] == Decimal("1600.0000")
        row = await uow.session.get(BalanceAdjustment, 1)
    assert (row.status, row.requested_by, row.decided_by, row.reason) == (
        "applied", "telegram:900", "telegram:900", "Бонус за вебинар")
    told = await _outbox(services)
    assert [(m.chat_id, m.screen["text_key"]) for m in told] == [(str(PARTNER), "adj-partner-credit")]


async def test_over_the_limit_waits_for_an_admin(services):
    partner = await make_partner(services, PARTNER)
    tg = TelegramHarness(services)
    await _type_adjustment(tg, MANAGER, partner, "-6000", "Возврат ошибочной выплаты")
    assert "потребуется одобрение администратора" in tg.last(MANAGER).text
    await tg.press(MANAGER, "adj:ok:1")
    assert "Отправлена администраторам" in tg.last(MANAGER).text
    assert await _entries(services) == []
    asks = await _outbox(services)
    assert [(m.chat_id, m.screen["text_key"]) for m in asks] == [(str(ADMIN), "adj-approval")]

    await tg.press(OTHER_MANAGER, "adj:ap:1")  # a manager cannot approve
    assert tg.toasts()[-1] == services.translator("ru", "err-not-allowed")
    await tg.press(ADMIN, "adj:ap:1")
    await tg.press(ADMIN, "adj:rj:1")  # too late: already approved
    assert "Уже решено (telegram:903)" in tg.toasts()[-1]
    assert await _entries(services) == [("adj:1", "adjustment", Decimal("-6000.0000"), "available")]
    kinds = [(m.chat_id, m.screen["text_key"]) for m in await _outbox(services)]
    assert (str(PARTNER), "adj-partner-debit") in kinds and (str(MANAGER), "adj-decided") in kinds
    async with services.deps.uow(readonly=True) as uow:  # a debit may take the balance below zero: owed back
        assert (await ledger.balance(uow, partner, "RUB"))[ledger.AVAILABLE] == Decimal("-6000.0000")


async def test_rejected_and_cancelled_move_no_money(services):
    partner = await make_partner(services, PARTNER)
    tg = TelegramHarness(services)
    await _type_adjustment(tg, MANAGER, partner, "+200 USD", "Конкурс")  # over USD 100
    await tg.press(MANAGER, "adj:ok:1")
    await tg.press(ADMIN, "adj:pend")
    assert "adj:ap:1" in tg.buttons(ADMIN)
    await tg.press(ADMIN, "adj:rj:1")
    assert "❌ Отклонена" in tg.last(ADMIN).text
    await _type_adjustment(tg, MANAGER, partner, "+10", "Передумал")
    await tg.press(MANAGER, "adj:no:2")
    await tg.press(MANAGER, "adj:ok:2")  # confirming a cancelled draft
    assert "Уже решено" in tg.toasts()[-1]
    assert await _entries(services) == []
    async with services.deps.uow(readonly=True) as uow:
        statuses = (await uow.session.scalars(select(BalanceAdjustment.status).order_by(BalanceAdjustment.id))).all()
    assert statuses == ["rejected", "cancelled"]


async def test_bad_input_changes_nothing_and_keeps_the_form(services):
    partner = await make_partner(services, PARTNER)
    tg = TelegramHarness(services)
    await tg.press(MANAGER, "adj:new")
    await tg.send(MANAGER, "Иван")
    assert "Это не номер партнёра" in tg.texts(MANAGER)[-2]
    await tg.send(MANAGER, "#999")
    assert "Партнёра #999 нет" in tg.texts(MANAGER)[-2] and "Шаг 1" in tg.last(MANAGER).text
    await tg.send(MANAGER, str(partner))
    for bad in ("12.345", "сто", "0", "+20000000", "RUB 5 USD"):
        await tg.send(MANAGER, bad)
        assert "Это не сумма" in tg.texts(MANAGER)[-2], bad
    await tg.send(MANAGER, "-20,5 usd")
    await tg.send(MANAGER, "ok")  # too short a reason
    await tg.send(MANAGER, "Штраф за спам")
    assert "-20.50 USD" in tg.last(MANAGER).text
    async with services.deps.uow(readonly=True) as uow:
        assert (await uow.session.scalar(select(BalanceAdjustment))).status == "draft"


async def test_who_may_do_what(services):
    partner = await make_partner(services, PARTNER)
    own = await make_partner(services, MANAGER, name="Manager Who Is Also A Partner", locale="ru")
    tg = TelegramHarness(services)
    for action in ("adj:home", "adj:new", "adj:lim", "adj:pend", "adj:ap:1"):
        await tg.press(PARTNER, action)
        assert tg.toasts()[-1] == services.translator("en", "err-not-allowed"), action
    await tg.send(PARTNER, "/adjust")
    assert tg.last(PARTNER).text == services.translator("en", "err-not-allowed")

    await _type_adjustment(tg, MANAGER, own, "+100", "Себе премию")
    assert "Нельзя корректировать свой баланс" in tg.last(MANAGER).text

    await tg.press(MANAGER, "adj:limset")  # only admins set limits
    assert tg.toasts()[-1] == services.translator("ru", "err-not-allowed")
    await tg.press(ADMIN, "adj:limset")
    await tg.send(ADMIN, "-5 RUB")
    assert "Это не сумма" in tg.texts(ADMIN)[-2]
    await tg.send(ADMIN, "0 RUB")
    assert "RUB: 0.00 RUB" in tg.last(ADMIN).text
    await _type_adjustment(tg, MANAGER, partner, "+1", "Копейка")
    assert "потребуется одобрение" in tg.last(MANAGER).text
    await tg.press(MANAGER, "adj:ok:1")  # the attempt on their own balance left no row
    assert "Отправлена администраторам" in tg.last(MANAGER).text
    await _type_adjustment(tg, ADMIN, partner, "+99999", "Администратор без лимита")
    await tg.press(ADMIN, "adj:ok:2")
    assert "✅ Проведена" in tg.last(ADMIN).text
