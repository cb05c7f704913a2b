"""Payouts through Telegram: /admin → Payouts, rejection with a typed reason (two managers → one decision),
refusals a partner sees, and who may open the queue."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from services.db.payout_models import Payout, PayoutEvent
from services.ledger import entries as ledger
from services.payouts import service
from tests.fakes.payouts import credit, give_details, make_partner
from tests.fakes.tg_harness import TelegramHarness

PARTNER, MANAGER, OTHER = 111, 900, 901


async def test_reject_with_a_reason_once_and_the_money_returns(services):
    partner = await make_partner(services, PARTNER)
    await credit(services, partner, "2500.00")
    await give_details(services, partner, "ewallet", "410011234567890")
    tg = TelegramHarness(services)

    await tg.send(MANAGER, "/admin")
    assert "pam:list" in tg.buttons(MANAGER)
    await tg.press(PARTNER, "pam:list")
    await tg.press(PARTNER, "pam:card:1")
    assert tg.toasts()[-2:] == [services.translator("en", "err-not-allowed")] * 2

    assert (await service.request(services.deps, partner, "RUB", None, actor="telegram:111")).outcome == "requested"
    await tg.press(MANAGER, "pam:no:1")
    await tg.press(OTHER, "pam:no:1")  # both open the reason form
    assert "почему она отклонена" in tg.last(OTHER).text
    await tg.send(MANAGER, "Кошелёк не идентифицирован")
    assert tg.texts(MANAGER)[-2] == "Отклонено; деньги вернулись на баланс партнёра"
    assert "Отклонил telegram:900: Кошелёк не идентифицирован" in tg.last(MANAGER).text
    await tg.send(OTHER, "Другая причина")
    assert tg.texts(OTHER)[-2] == "Уже решил telegram:900"
    await tg.press(OTHER, "pam:no:1")  # the button on an old card: answered at once, no form
    assert tg.toasts()[-1] == "Уже решил telegram:900"

    async with services.deps.uow(readonly=True) as uow:
        payout = await uow.session.scalar(select(Payout))
        events = (await uow.session.scalars(select(PayoutEvent.action).order_by(PayoutEvent.id))).all()
        money = await ledger.balance(uow, partner, "RUB")
    assert (payout.status, payout.reason) == ("rejected", "Кошелёк не идентифицирован")
    assert events == ["details", "request", "reject"]
    assert money[ledger.AVAILABLE] == Decimal("2500.0000")

    await tg.press(MANAGER, "pam:list")
    assert "Выплат в очереди: 0" in tg.last(MANAGER).text


async def test_partner_refusals_on_screen(services):
    partner = await make_partner(services, PARTNER)
    await give_details(services, partner)
    tg = TelegramHarness(services)
    await credit(services, partner, "10.00", "USD")
    await tg.press(PARTNER, "pay:req")
    assert "Nothing to pay out yet" in tg.last(PARTNER).text and "10.00 USD" in tg.last(PARTNER).text
    await tg.press(PARTNER, "pay:req:USD")  # below the minimum: a stale (or forged) currency button
    assert tg.toasts()[-1] == services.translator("en", "err-stale-button")
    await credit(services, partner, "-50.00")  # a chargeback after an earlier payout
    await credit(services, partner, "40.00", "USD")
    await tg.press(PARTNER, "pay:req")
    assert "balance is negative: -50.00 RUB" in tg.last(PARTNER).text
    await tg.press(PARTNER, "pay:req:USD")
    assert "balance is negative" in tg.last(PARTNER).text
    await tg.press(PARTNER, "set:pay")
    assert "•••• 4242" in tg.last(PARTNER).text and tg.buttons(PARTNER)[:4] == [
        "set:pay:card", "set:pay:account", "set:pay:crypto", "set:pay:ewallet"]
