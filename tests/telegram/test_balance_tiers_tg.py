"""Balance screen and monthly tiers, over ledger rows and conversions written directly."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from services import tiers
from services.db.models import OutboxMessage, Partner
from services.db.tracking_models import Conversion, LedgerEntry, Offer
from services.deps import DEFAULT_TIERS
from tests.fakes.tg_harness import TelegramHarness

PARTNER = 111


@pytest.fixture
async def partner_id(services) -> int:
    tg = TelegramHarness(services)
    await tg.send(PARTNER, "/start", language_code="en")
    async with services.deps.uow() as uow:
        account = await uow.accounts.get("telegram", str(PARTNER))
        await uow.partners.move_status(account.partner_id, ("new",), "approved")
        await uow.forms.clear("telegram", str(PARTNER))
        await uow.commit()
        return account.partner_id


async def add_sale(services, partner_id: int, amount: str, *, days_ago: int = 1, status: str = "approved") -> None:
    now = services.deps.clock.now()
    async with services.deps.uow() as uow:
        offer = await uow.session.scalar(select(Offer).limit(1))
        if offer is None:
            offer = Offer(name="Shop", target_url="https://shop.example.com", payout_model="revshare",
                          currency="RUB", hold_days=30, attribution_days=30, l2_percent=Decimal("5"),
                          status="active", created_at=now)
            uow.session.add(offer)
            await uow.session.flush()
        count = len((await uow.session.scalars(select(Conversion.id))).all())
        conversion = Conversion(idempotency_key=f"t:{count}", partner_id=partner_id, offer_id=offer.id,
                                goal="default", status=status, sale_amount=Decimal(amount),
                                commission=Decimal(amount) * Decimal("0.3"), currency="RUB", payable=True,
                                created_at=now - timedelta(days=days_ago), updated_at=now - timedelta(days=days_ago))
        uow.session.add(conversion)
        await uow.session.flush()
        uow.session.add(LedgerEntry(entry_key=f"conv:{conversion.id}:approved:l1", partner_id=partner_id,
                                    conversion_id=conversion.id, kind="commission", bucket="hold",
                                    amount=conversion.commission, currency="RUB", created_at=now,
                                    release_at=now + timedelta(days=30)))
        await uow.commit()


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
