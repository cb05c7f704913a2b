"""Partner tiers (Certified → Gold → Platinum) from approved revenue over the last 30 days; a daily job."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from services.messaging import notify
from services.db.models import Partner
from services.db.tracking_models import Conversion
from services.kernel.deps import Deps, TierRule
from services.kernel.dto import Screen
from services.kernel.enums import ConversionStatus
from services.partners.status import PartnerStatus

WINDOW = timedelta(days=30)


def tier_for(revenue: Decimal, tiers: tuple[TierRule, ...]) -> TierRule:
    """The highest tier whose threshold the revenue reaches (tiers sorted by threshold)."""
    chosen = tiers[0]
    for rule in sorted(tiers, key=lambda r: r.threshold):
        if revenue >= rule.threshold:
            chosen = rule
    return chosen


def next_tier(current: str, tiers: tuple[TierRule, ...]) -> TierRule | None:
    ordered = sorted(tiers, key=lambda r: r.threshold)
    names = [r.name for r in ordered]
    index = names.index(current) if current in names else 0
    return ordered[index + 1] if index + 1 < len(ordered) else None


async def revenue_by_partner(deps: Deps, partner_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Approved sales (CPA: the payout) of the last 30 days per partner; refunds drop out by status."""
    since = deps.clock.now() - WINDOW
    async with deps.uow() as uow:
        query = (select(Conversion.partner_id,
                        func.sum(func.coalesce(Conversion.sale_amount, Conversion.commission)))
                 .where(Conversion.status == ConversionStatus.APPROVED, Conversion.payable.is_(True),
                        Conversion.updated_at >= since)
                 .group_by(Conversion.partner_id))
        if partner_ids is not None:
            query = query.where(Conversion.partner_id.in_(partner_ids))
        rows = (await uow.session.execute(query)).all()
    # SQLite sums NUMERIC as floats: back to cents exactly (each value has at most 4 places).
    return {pid: Decimal(str(total or 0)).quantize(Decimal("0.01")) for pid, total in rows}


async def recalculate(deps: Deps) -> int:
    """Scheduler job: moves partners between tiers and tells them. Returns how many changed."""
    revenue = await revenue_by_partner(deps)
    changed = 0
    async with deps.uow() as uow:
        partners = (await uow.session.scalars(select(Partner).where(Partner.status == PartnerStatus.APPROVED))).all()
        for partner in partners:
            rule = tier_for(revenue.get(partner.id, Decimal("0")), deps.config.tiers)
            if rule.name == partner.tier:
                continue
            old, partner.tier = partner.tier, rule.name
            changed += 1
            await notify.to_partner(uow, deps, partner, Screen("tier-changed", {
                "old": old, "new": rule.name, "percent": f"{rule.revshare_percent.normalize():f}"}),
                kind="tier", dedupe_key=f"tier:{partner.id}:{deps.clock.now():%Y%m%d}:{rule.name}")
        await uow.commit()
    if changed:
        deps.wake_outbox()
    return changed
