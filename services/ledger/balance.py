"""A partner's balance as data: available and on-hold money per currency, recent movements, tier progress.
The chat's Balance section renders it (screens.py); the REST API and exports reuse `balance_summary`."""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from services.db.models import Partner
from services.db.tracking_models import LedgerEntry
from services.kernel.deps import Deps, TierRule
from services.kernel.dto import Incoming, Reply, Screen
from services.ledger import screens
from services.ledger.entries import AVAILABLE, HOLD, RELEASE, balances
from services.partners.current import Require, current_partner
from services.partners.tiers import next_tier, revenue_by_partner

RECENT = 5


@dataclass(frozen=True)
class BalanceSummary:
    balances: dict[str, dict[str, Decimal]]  # currency → {"hold": …, "available": …, "reserved": … (payouts)}
    recent: list[LedgerEntry]  # newest first, releases left out (they only move money between buckets)
    tier: str
    revenue: Decimal  # approved sales of the last 30 days, the tier's measure
    next_tier: TierRule | None  # None at the top tier


async def balance_summary(deps: Deps, partner: Partner, *, recent: int = RECENT) -> BalanceSummary:
    async with deps.uow() as uow:
        sums = await balances(uow, partner.id)
        entries = (await uow.session.scalars(
            select(LedgerEntry).where(LedgerEntry.partner_id == partner.id, LedgerEntry.kind != RELEASE,
                                      LedgerEntry.bucket.in_((HOLD, AVAILABLE)))  # a payout's own moves show once
            .order_by(LedgerEntry.id.desc()).limit(recent))).all()
    revenue = (await revenue_by_partner(deps, [partner.id])).get(partner.id, Decimal("0"))
    return BalanceSummary(sums, list(entries), partner.tier, revenue, next_tier(partner.tier, deps.config.tiers))


class BalanceService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps
        # Other areas' screens shown under the balance (partner id → Screen or None): bonus plans' progress.
        self.extras: list[Callable[[int], Awaitable[Screen | None]]] = []

    async def show(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            partner = await current_partner(uow, inc, Require.APPROVED)
        if isinstance(partner, Reply):
            return partner
        extra = [screen for extra in self.extras if (screen := await extra(partner.id)) is not None]
        return Reply(screens=[screens.balance(await balance_summary(self.deps, partner)), *extra])
