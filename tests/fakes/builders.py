"""Test data builders: an approved partner, sales with ledger entries — written directly, not via postbacks."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from sqlalchemy import select

from services.db.tracking_models import Conversion, LedgerEntry, Offer
from tests.fakes.tg_harness import TelegramHarness

PARTNER = 111


async def approved_partner(services, tg: TelegramHarness, user: int = PARTNER) -> int:
    """A Telegram person who pressed /start, approved without the form (the form has tests of its own)."""
    await tg.send(user, "/start", language_code="en")
    async with services.deps.uow() as uow:
        account = await uow.accounts.get("telegram", str(user))
        await uow.partners.move_status(account.partner_id, ("new",), "approved")
        await uow.forms.clear("telegram", str(user))
        await uow.commit()
        return account.partner_id


@pytest.fixture
async def partner_id(services) -> int:
    return await approved_partner(services, TelegramHarness(services))


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


