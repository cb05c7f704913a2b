"""Partner tiers (Certified → Gold → Platinum) from approved revenue over the last 30 days: up daily, down monthly.

Revenue is never summed across currencies: a tier is reached when the revenue in any single currency reaches that
tier's threshold for the currency (TierRule.threshold in the tier currency, foreign_thresholds for others).
"""
from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from services.messaging import notify
from services.db.models import Partner
from services.db.tracking_models import Conversion
from services.kernel.deps import Deps, TierRule
from services.kernel.dto import Screen
from services.kernel.enums import ConversionStatus
from services.kernel.money import format_money
from services.partners.status import PartnerStatus

WINDOW = timedelta(days=30)


def reaches(rule: TierRule, revenue: Mapping[str, Decimal], currency: str) -> bool:
    """Whether revenue per currency reaches the rule in some one currency. A threshold of 0 is reached by anyone."""
    thresholds = {**dict(rule.foreign_thresholds), currency: rule.threshold}
    return rule.threshold <= 0 or any(
        revenue.get(cur, Decimal(0)) >= threshold for cur, threshold in thresholds.items())


def tier_for(revenue: Decimal | Mapping[str, Decimal], tiers: tuple[TierRule, ...],
             currency: str = "RUB") -> TierRule:
    """The highest tier (tiers sorted by threshold) that the revenue reaches; a bare Decimal is in `currency`."""
    per_currency = {currency: revenue} if isinstance(revenue, Decimal) else revenue
    chosen = tiers[0]
    for rule in sorted(tiers, key=lambda r: r.threshold):
        if reaches(rule, per_currency, currency):
            chosen = rule
    return chosen


def next_tier(current: str, tiers: tuple[TierRule, ...]) -> TierRule | None:
    ordered = sorted(tiers, key=lambda r: r.threshold)
    names = [r.name for r in ordered]
    index = names.index(current) if current in names else 0
    return ordered[index + 1] if index + 1 < len(ordered) else None


async def revenue_by_currency(deps: Deps, partner_ids: list[int] | None = None) -> dict[int, dict[str, Decimal]]:
    """Approved sales (CPA: the payout) of the last 30 days per partner and currency; refunds drop out by
    status."""
    since = deps.clock.now() - WINDOW
    async with deps.uow() as uow:
        query = (select(Conversion.partner_id, Conversion.currency,
                        func.sum(func.coalesce(Conversion.sale_amount, Conversion.commission)))
                 .where(Conversion.status == ConversionStatus.APPROVED, Conversion.payable.is_(True),
                        Conversion.updated_at >= since)
                 .group_by(Conversion.partner_id, Conversion.currency))
        if partner_ids is not None:
            query = query.where(Conversion.partner_id.in_(partner_ids))
        rows = (await uow.session.execute(query)).all()
    revenue: dict[int, dict[str, Decimal]] = {}
    for pid, currency, total in rows:
        # SQLite sums NUMERIC as floats: back to cents exactly (each value has at most 4 places).
        revenue.setdefault(pid, {})[currency] = Decimal(str(total or 0)).quantize(Decimal("0.01"))
    return revenue


async def revenue_by_partner(deps: Deps, partner_ids: list[int] | None = None) -> dict[int, Decimal]:
    """Approved sales of the last 30 days per partner in the tier currency only (what the balance screen
    measures against the thresholds)."""
    currency = deps.config.tier_currency
    return {pid: sums[currency] for pid, sums in (await revenue_by_currency(deps, partner_ids)).items()
            if currency in sums}


async def recalculate(deps: Deps, *, demote: bool | None = None, run: str | None = None) -> int:
    """Moves partners between tiers and tells them: a congratulation up, a notice (with what the old tier needs)
    down. Returns how many changed.

    The daily job (demote=None) moves both ways unless TIERS_MONTHLY is on: then it only promotes — a tier
    reached counts at once — and demotions wait for the monthly run on the 1st (`recalculate_monthly`), so a
    quiet week never costs a partner their rate mid-month. One message per partner, tier and day / month."""
    if demote is None:
        demote = not deps.config.tiers_monthly
    run = run or f"{deps.clock.now():%Y%m%d}"
    revenue = await revenue_by_currency(deps)
    ordered = [r.name for r in sorted(deps.config.tiers, key=lambda r: r.threshold)]
    changed = 0
    async with deps.uow() as uow:
        partners = (await uow.session.scalars(select(Partner).where(Partner.status == PartnerStatus.APPROVED))).all()
        for partner in partners:
            rule = tier_for(revenue.get(partner.id, {}), deps.config.tiers, deps.config.tier_currency)
            if rule.name == partner.tier:
                continue
            old = next((r for r in deps.config.tiers if r.name == partner.tier), None)
            up = old is None or ordered.index(rule.name) > ordered.index(old.name)
            if not up and not demote:
                continue
            previous, partner.tier = partner.tier, rule.name
            changed += 1
            args = {"old": previous, "new": rule.name,
                    "percent": f"{rule.revshare_percent.normalize():f}"}
            if not up and old is not None:
                args["needed"] = format_money(old.threshold, deps.config.tier_currency)
            await notify.to_partner(uow, deps, partner, Screen("tier-up" if up else "tier-down", args),
                                    kind="tier", dedupe_key=f"tier:{partner.id}:{run}:{rule.name}")
        await uow.commit()
    if changed:
        deps.wake_outbox()
    return changed


async def recalculate_monthly(deps: Deps) -> int:
    """The monthly job (the 1st, TIERS_MONTHLY): tiers follow the last 30 days both ways."""
    return await recalculate(deps, demote=True, run=f"m{deps.clock.now():%Y%m}")
