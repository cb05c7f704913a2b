"""Balance screen and monthly tiers, over ledger rows and conversions written directly."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from services.partners import tiers
from services.db.models import OutboxMessage, Partner
from services.kernel.deps import DEFAULT_TIERS
from tests.fakes.builders import PARTNER, add_sale, partner_id  # noqa: F401  (fixture)
from tests.fakes.tg_harness import TelegramHarness


async def test_tier_moves_with_30_day_revenue_and_partner_is_told(services, partner_id):
    await add_sale(services, partner_id, "60000.00")
    await add_sale(services, partner_id, "45000.00", days_ago=10)
    await add_sale(services, partner_id, "900000.00", days_ago=40)  # outside the window
    await add_sale(services, partner_id, "900000.00", status="refunded")  # refunded: not revenue
    assert await tiers.recalculate(services.deps) == 1
    assert await tiers.recalculate(services.deps) == 0
    async with services.deps.uow() as uow:
        partner = await uow.session.get(Partner, partner_id)
        [note] = (await uow.session.scalars(select(OutboxMessage).where(OutboxMessage.kind == "tier"))).all()
    assert partner.tier == "gold" and note.screen["args"]["percent"] == "35"


def test_tier_for_thresholds():
    assert tiers.tier_for(Decimal("0"), DEFAULT_TIERS).name == "certified"
    assert tiers.tier_for(Decimal("100000"), DEFAULT_TIERS).name == "gold"
    assert tiers.tier_for(Decimal("499999.99"), DEFAULT_TIERS).name == "gold"
    assert tiers.tier_for(Decimal("500000"), DEFAULT_TIERS).name == "platinum"
    assert tiers.next_tier("platinum", DEFAULT_TIERS) is None


async def test_balance_screen(services, partner_id):
    await add_sale(services, partner_id, "1000.50")
    tg = TelegramHarness(services)
    await tg.send(PARTNER, "💰 Balance")
    text = tg.texts(PARTNER)[-1]
    assert "0.00 RUB · 300.15 RUB" in text  # 30 % of 1000.50, on hold
    assert "+300.15 RUB (commission, #1)" in text
    assert "98 999.50 more to reach gold" in text
