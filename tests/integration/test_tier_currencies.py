"""Tiers never add up different currencies: a tier is reached by the revenue in one currency against that
currency's threshold (configured; by default only the tier currency has thresholds)."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from services.db.models import Partner
from services.db.tracking_models import Conversion, Offer
from services.kernel.deps import DEFAULT_TIERS, TierRule
from services.partners import tiers
from tests.fakes.builders import PARTNER, partner_id  # noqa: F401  (fixture)
from tests.fakes.tg_harness import TelegramHarness

D = Decimal


async def sale(services, partner_id: int, amount: str, currency: str) -> None:
    now = services.deps.clock.now()
    async with services.deps.uow() as uow:
        offer = Offer(name=f"Shop {currency}", target_url="https://shop.example.com", payout_model="revshare",
                      currency=currency, hold_days=30, attribution_days=30, l2_percent=D("5"), status="active",
                      created_at=now)
        uow.session.add(offer)
        await uow.session.flush()
        uow.session.add(Conversion(idempotency_key=f"t:{currency}:{amount}", partner_id=partner_id,
                                   offer_id=offer.id, goal="default", status="approved", sale_amount=D(amount),
                                   commission=D(amount) * D("0.3"), currency=currency, payable=True,
                                   created_at=now - timedelta(days=1), updated_at=now - timedelta(days=1)))
        await uow.commit()


async def tier_of(services, partner_id: int) -> str:
    async with services.deps.uow() as uow:
        return (await uow.session.get(Partner, partner_id)).tier


async def test_revenue_in_several_currencies_is_not_summed(services, partner_id):
    await sale(services, partner_id, "60000.00", "RUB")
    await sale(services, partner_id, "60000.00", "USD")  # 60 000 + 60 000 would have made gold
    await sale(services, partner_id, "45000.00", "EUR")
    assert await tiers.recalculate(services.deps) == 0
    assert await tier_of(services, partner_id) == "certified"
    assert await tiers.revenue_by_partner(services.deps, [partner_id]) == {partner_id: D("60000.00")}

    tg = TelegramHarness(services)
    await tg.send(PARTNER, "💰 Balance")
    assert "approved sales in 30 days: 60 000.00" in tg.texts(PARTNER)[-1]  # RUB only, not 165 000

    # With a USD threshold configured, USD revenue counts on its own.
    gold = replace(DEFAULT_TIERS[1], foreign_thresholds=(("USD", D("1100")),))
    services.deps.config = replace(services.deps.config, tiers=(DEFAULT_TIERS[0], gold, DEFAULT_TIERS[2]))
    assert await tiers.recalculate(services.deps) == 1
    assert await tier_of(services, partner_id) == "gold"


@pytest.mark.parametrize("revenue, expected", [
    ({}, "certified"),
    ({"RUB": D("99999.99"), "USD": D("1099.99"), "EUR": D("4999.99")}, "certified"),
    ({"RUB": D("100000")}, "gold"),
    ({"RUB": D("1"), "USD": D("1100")}, "gold"),
    ({"USD": D("1099.99"), "EUR": D("1099.99")}, "certified"),
    ({"EUR": D("5000")}, "platinum"),
    ({"RUB": D("500000"), "USD": D("1")}, "platinum"),
])
def test_a_tier_is_reached_in_one_currency_against_its_own_threshold(revenue, expected):
    rules = (TierRule("certified", D("0"), D("30")),
             TierRule("gold", D("100000"), D("35"), (("USD", D("1100")),)),
             TierRule("platinum", D("500000"), D("40"), (("EUR", D("5000")), ("USD", D("5500")))))
    assert tiers.tier_for(revenue, rules, "RUB").name == expected
    assert tiers.tier_for(D("100000"), rules, "RUB").name == "gold"  # a bare amount is in the tier currency
