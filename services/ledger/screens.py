"""Screens of the ledger area."""
from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING

from services.kernel.dto import Button, Screen
from services.kernel.money import format_money
from services.ledger.entries import AVAILABLE, HOLD

if TYPE_CHECKING:
    from services.ledger.balance import BalanceSummary

TIER_CURRENCY = "RUB"  # tier thresholds are in roubles; the screen shows the amounts without the code


def balance(summary: BalanceSummary) -> Screen:
    # Money asked for and not yet paid ("reserved" by services.payouts) is shown beside, so totals add up.
    reserved = any(b.get("reserved") for b in summary.balances.values())
    lines = [f"{format_money(b.get(AVAILABLE, Decimal(0)), cur)} · {format_money(b.get(HOLD, Decimal(0)), cur)}"
             + (f" · ⏳ {format_money(b.get('reserved', Decimal(0)), cur)}" if reserved else "")
             for cur, b in sorted(summary.balances.items())]
    movements = [f"{e.created_at:%d.%m} {'+' if e.amount >= 0 else ''}{format_money(e.amount, e.currency)}"
                 f" ({e.kind}{', #' + str(e.conversion_id) if e.conversion_id else ''})" for e in summary.recent]
    upcoming = summary.next_tier
    return Screen("balance", {
        "balances": "\n".join(lines) or "0.00",
        "movements": "\n".join(movements) or "—",
        "tier": summary.tier,
        "revenue": _plain(summary.revenue),
        "next": upcoming.name if upcoming else "none",
        "missing": _plain(max(upcoming.threshold - summary.revenue, Decimal(0))) if upcoming else "",
        "reserved": "yes" if reserved else "none",
    }, buttons=((Button("pay-btn-request", "pay:req"), Button("pay-btn-history", "pay:hist")),))


def _plain(amount: Decimal) -> str:
    return format_money(amount, TIER_CURRENCY).removesuffix(f" {TIER_CURRENCY}")
