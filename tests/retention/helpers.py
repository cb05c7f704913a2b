"""Test data for retention jobs: approved partners in given time zones, offers, links, clicks and sales written
directly (the postback and click paths have tests of their own)."""
from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from sqlalchemy import select

from services.db.models import MessengerAccount, OutboxMessage, Partner
from services.db.tracking_models import Click, Conversion, Offer, TrackingLink

_n = itertools.count(1)


async def partner(services, user: int, *, tz: str = "Europe/Moscow", messenger: str = "telegram", name: str = "Ivan",
                  locale: str = "en", approved_at: datetime | None = None, quiet: tuple[int, int] | None = None,
                  announce: bool = True) -> int:
    now = services.deps.clock.now()
    async with services.deps.uow() as uow:
        row = await uow.partners.add(Partner(status="approved", locale=locale, timezone=tz, ref_code=f"R{next(_n)}",
                                             name=name, created_at=approved_at or now, approved_at=approved_at or now,
                                             quiet_start=quiet[0] if quiet else None,
                                             quiet_end=quiet[1] if quiet else None, announce=announce))
        await uow.accounts.add(MessengerAccount(partner_id=row.id, messenger=messenger, external_id=str(user),
                                                chat_id=str(user), first_name=name, created_at=now))
        await uow.commit()
        return row.id


async def offer_and_link(services, partner_id: int) -> tuple[int, int]:
    now = services.deps.clock.now()
    async with services.deps.uow() as uow:
        offer = await uow.session.scalar(select(Offer).limit(1))
        if offer is None:
            offer = Offer(name="Shop", target_url="https://shop.example.com", payout_model="cpa",
                          cpa_amount=Decimal("100"), currency="RUB", hold_days=30, attribution_days=30,
                          l2_percent=Decimal("5"), status="active", created_at=now)
            uow.session.add(offer)
            await uow.session.flush()
        link = TrackingLink(code=f"c{next(_n)}", partner_id=partner_id, offer_id=offer.id, is_default=True,
                            created_at=now)
        uow.session.add(link)
        await uow.commit()
        return offer.id, link.id


async def click(services, partner_id: int, at: datetime) -> None:
    offer_id, link_id = await offer_and_link(services, partner_id)
    async with services.deps.uow() as uow:
        n = next(_n)
        uow.session.add(Click(click_id=f"k{n}", link_id=link_id, partner_id=partner_id, offer_id=offer_id,
                              created_at=at, ip_hash=f"ip{n}", ua_hash="ua", is_unique=True))
        await uow.commit()


async def sale(services, partner_id: int, amount: str, at: datetime, *, status: str = "approved",
               currency: str = "RUB") -> None:
    offer_id, _ = await offer_and_link(services, partner_id)
    async with services.deps.uow() as uow:
        uow.session.add(Conversion(idempotency_key=f"t:{next(_n)}", partner_id=partner_id, offer_id=offer_id,
                                   goal="default", status=status, sale_amount=Decimal(amount),
                                   commission=Decimal(amount) / 10, currency=currency, payable=True,
                                   created_at=at, updated_at=at))
        await uow.commit()


async def outbox(services, kind: str | None = None) -> list[OutboxMessage]:
    async with services.deps.uow(readonly=True) as uow:
        query = select(OutboxMessage).order_by(OutboxMessage.id)
        if kind is not None:
            query = query.where(OutboxMessage.kind == kind)
        return list((await uow.session.scalars(query)).all())
