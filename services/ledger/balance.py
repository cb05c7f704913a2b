"""Balance screen: available and on-hold money per currency, recent ledger movements, tier progress."""
from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select

from services.db.tracking_models import LedgerEntry
from services.kernel.deps import Deps
from services.kernel.dto import Button, Incoming, Reply, Screen
from services.partners.tiers import next_tier, revenue_by_partner
from services.kernel.money import format_money
from services.ledger.entries import balances

RECENT = 5


class BalanceService:
    def __init__(self, deps: Deps) -> None:
        self.deps = deps

    async def show(self, inc: Incoming) -> Reply:
        async with self.deps.uow(readonly=True) as uow:
            account = await uow.accounts.get(inc.messenger, inc.user_id)
            partner = await uow.partners.get(account.partner_id) if account else None
            if partner is None or partner.status != "approved":
                return Reply.of(Screen("err-approved-only"))
            sums = await balances(uow, partner.id)
            recent = (await uow.session.scalars(
                select(LedgerEntry).where(LedgerEntry.partner_id == partner.id, LedgerEntry.kind != "release",
                      LedgerEntry.bucket.in_(("hold", "available")))  # a payout's own moves show once
                .order_by(LedgerEntry.id.desc()).limit(RECENT))).all()
        # Money asked for and not yet paid ("reserved" by services.payouts) is shown beside, so totals add up.
        reserved = any(b.get("reserved") for b in sums.values())
        lines = [f"{format_money(b.get('available', Decimal(0)), cur)} · {format_money(b.get('hold', Decimal(0)), cur)}"
                 + (f" · ⏳ {format_money(b.get('reserved', Decimal(0)), cur)}" if reserved else "")
                 for cur, b in sorted(sums.items())]
        movements = [f"{e.created_at:%d.%m} {'+' if e.amount >= 0 else ''}{format_money(e.amount, e.currency)}"
                     f" ({e.kind}{', #' + str(e.conversion_id) if e.conversion_id else ''})" for e in recent]
        revenue = (await revenue_by_partner(self.deps, [partner.id])).get(partner.id, Decimal("0"))
        upcoming = next_tier(partner.tier, self.deps.config.tiers)
        return Reply.of(Screen("balance", {
            "balances": "\n".join(lines) or "0.00",
            "movements": "\n".join(movements) or "—",
            "tier": partner.tier,
            "revenue": format_money(revenue, "RUB").removesuffix(" RUB"),
            "next": upcoming.name if upcoming else "none",
            "missing": format_money(max(upcoming.threshold - revenue, Decimal(0)), "RUB").removesuffix(" RUB")
            if upcoming else "",
            "reserved": "yes" if reserved else "none",
        }, buttons=((Button("pay-btn-request", "pay:req"), Button("pay-btn-history", "pay:hist")),)))
