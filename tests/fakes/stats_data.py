"""Stats test data written straight into the tables: partners, offers, links, clicks at chosen instants,
conversions and ledger entries — the figures then have to come out as computed by hand."""
from __future__ import annotations

import itertools
from datetime import datetime
from decimal import Decimal

from sqlalchemy import func, insert, select

from services.db.models import Partner
from services.db.tracking_models import Click, Conversion, LedgerEntry, Offer, TrackingLink
from services.kernel.deps import Deps

_n = itertools.count(1)


async def add_partner(deps: Deps, *, tz: str = "UTC", parent_id: int | None = None, locale: str = "en",
                      created_at: datetime | None = None) -> int:
    async with deps.uow() as uow:
        partner = Partner(status="approved", locale=locale, timezone=tz, tier="certified", parent_id=parent_id,
                          ref_code=f"sref{next(_n)}", created_at=created_at or deps.clock.now())
        uow.session.add(partner)
        await uow.commit()
        return partner.id


async def add_offer(deps: Deps, *, name: str = "Shop", currency: str = "RUB") -> int:
    async with deps.uow() as uow:
        offer = Offer(name=name, target_url="https://shop.example.com", payout_model="cpa", cpa_amount=Decimal(100),
                      currency=currency, hold_days=30, attribution_days=30, l2_percent=Decimal(5),
                      status="active", created_at=deps.clock.now())
        uow.session.add(offer)
        await uow.commit()
        return offer.id


async def add_link(deps: Deps, partner_id: int, offer_id: int, *, name: str | None = None) -> int:
    async with deps.uow() as uow:
        link = TrackingLink(code=f"sc{next(_n)}", partner_id=partner_id, offer_id=offer_id, name=name,
                            is_default=False, created_at=deps.clock.now())
        uow.session.add(link)
        await uow.commit()
        return link.id


async def add_clicks(deps: Deps, link_id: int, times: list[datetime], *, unique: bool | list[bool] = True,
                     subs: dict[str, str | None] | None = None) -> None:
    """One click per instant (aware UTC)."""
    async with deps.uow() as uow:
        link = await uow.session.get(TrackingLink, link_id)
        assert link is not None
        flags = unique if isinstance(unique, list) else [unique] * len(times)
        rows = [{"click_id": f"k{next(_n)}", "link_id": link_id, "partner_id": link.partner_id,
                 "offer_id": link.offer_id, "created_at": at, "ip_hash": f"ip{n % 97}", "ua_hash": "ua",
                 "is_unique": flag, **(subs or {})} for n, (at, flag) in enumerate(zip(times, flags, strict=True))]
        if rows:
            await uow.session.execute(insert(Click), rows)
        await uow.commit()


async def add_conversion(deps: Deps, link_id: int, at: datetime, status: str, commission: str,
                         *, currency: str = "RUB", sub1: str | None = None, click_pk: int | None = None) -> int:
    async with deps.uow() as uow:
        link = await uow.session.get(TrackingLink, link_id)
        assert link is not None
        conversion = Conversion(idempotency_key=f"s:{next(_n)}", partner_id=link.partner_id,
                                offer_id=link.offer_id, link_id=link_id, goal="default", status=status,
                                commission=Decimal(commission), currency=currency, payable=True, sub1=sub1,
                                click_pk=click_pk, created_at=at, updated_at=at)
        uow.session.add(conversion)
        await uow.commit()
        return conversion.id


async def add_ledger(deps: Deps, partner_id: int, conversion_id: int | None, kind: str, bucket: str, amount: str,
                     *, currency: str = "RUB", key: str | None = None) -> None:
    async with deps.uow() as uow:
        uow.session.add(LedgerEntry(entry_key=key or f"t:{next(_n)}", partner_id=partner_id,
                                    conversion_id=conversion_id, kind=kind, bucket=bucket, amount=Decimal(amount),
                                    currency=currency, created_at=deps.clock.now()))
        await uow.commit()


async def raw_clicks(deps: Deps, partner_id: int, start: datetime, end: datetime) -> tuple[int, int]:
    """(clicks, unique) straight from the clicks table: what the figures must equal."""
    async with deps.uow() as uow:
        total, unique = (await uow.session.execute(
            select(func.count(), func.count().filter(Click.is_unique))
            .where(Click.partner_id == partner_id, Click.created_at >= start, Click.created_at < end))).one()
        return total, unique


async def add_conversions(deps: Deps, link_id: int, times: list[datetime], status: str = "approved",
                          commission: str = "10") -> None:
    """Many conversions in one transaction."""
    async with deps.uow() as uow:
        link = await uow.session.get(TrackingLink, link_id)
        assert link is not None
        await uow.session.execute(insert(Conversion), [
            {"idempotency_key": f"s:{next(_n)}", "partner_id": link.partner_id, "offer_id": link.offer_id,
             "link_id": link_id, "goal": "default", "status": status, "commission": Decimal(commission),
             "currency": "RUB", "payable": True, "created_at": at, "updated_at": at} for at in times])
        await uow.commit()
